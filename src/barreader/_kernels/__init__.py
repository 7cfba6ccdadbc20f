"""Numba kernels. Arrays and scalars in, arrays and scalars out.

Every kernel here has a plain-Python twin (named ``*_reference``) that
computes the same thing in an obviously correct, slow way; the tests compare
the two.
"""
