"""The examples in the public functions' docstrings run and print what they show."""

import doctest
import inspect

import pytest

import barreader

FUNCTIONS = [name for name in barreader.__all__ if inspect.isfunction(getattr(barreader, name))]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_docstring_example_runs(name):
    function = getattr(barreader, name)
    (test,) = doctest.DocTestFinder(recurse=False).find(function, name)
    assert test.examples, f"{name} has no example in its docstring"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0
