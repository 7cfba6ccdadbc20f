"""A small dual-pyramid segmentation network in the spirit of BarcodeNet (S000; ALGORITHMS.md §6.3).

BarcodeNet puts two pyramids on a ResNet-101: a Prior Pyramid Pooling
Module (P3M) on the deepest features, whose pooling levels each receive
the level above, and a Pyramid Refine Module (PRM) that carries the
shallowest features, with their edges and stripes, down to the deepest
resolution by strided convolutions. Here the same layout sits on a
four-stage encoder of output stride 16 and about half a million weights,
small enough to train on two CPU cores and to export to ONNX:

* encoder: a stride-2 stem (16 channels, "Res1") and stages of 32, 64 and
  128 channels at strides 4, 8 and 16, the last with a dilated convolution;
* P3M: average pooling to 1 x 1, 2 x 2 and 4 x 4 bins (fixed kernels, for
  a fixed input size, so that the export needs no adaptive pooling), a
  1 x 1 convolution to 32 channels per level, each level's output
  upsampled and added to the next finer level's;
* PRM: three stride-2 3 x 3 convolutions from the stem (S000 uses two on a
  dilated ResNet of output stride 8; this encoder's is 16);
* head: the stage-4 features, the three P3M levels and the PRM output
  concatenated, a 3 x 3 convolution and a 1 x 1 classifier, upsampled 16
  times to the input;
* optionally (``decoder=True``) a decoder in the manner of DeepLabv3+
  instead of the 16-fold upsampling: the head's features, upsampled to
  stride 4, joined with stage 2's (reduced to 16 channels by a 1 x 1
  convolution), a 3 x 3 convolution to 32 channels and the classifier,
  upsampled 4 times. At stride 16 a code only 20 pixels long spans two
  output cells, and its outline cannot be drawn.

:class:`MutuallyGuidedSegNet` puts two heads on the same features, after
S003: one for the bars ("pixel level") and one for the whole label
("region level"). Each head also sees the other's code probability as
guidance: zero in a first pass, the other head's first-pass output in a
second pass, whose bar scores are the answer.

Requires torch.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["BarcodeSegNet", "MutuallyGuidedSegNet", "INPUT_SIZE"]

INPUT_SIZE = 320  # pixels; the pooling kernels are fixed for this size


def _conv(cin: int, cout: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class _PriorPyramid(nn.Module):
    """P3M: pooled levels, coarsest first, each receiving the level above it."""

    def __init__(self, channels: int, size: int, bins=(1, 2, 4), out: int = 32):
        super().__init__()
        self.pools = nn.ModuleList(nn.AvgPool2d(size // b, stride=size // b) for b in bins)
        self.convs = nn.ModuleList(
            nn.Sequential(nn.Conv2d(channels, out, 1, bias=False), nn.BatchNorm2d(out), nn.ReLU(inplace=True))
            for _ in bins
        )

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        size = x.shape[-2:]
        outputs, previous = [], None
        for pool, conv in zip(self.pools, self.convs):
            level = conv(pool(x))
            if previous is not None:
                level = level + F.interpolate(previous, size=level.shape[-2:], mode="bilinear", align_corners=False)
            previous = level
            outputs.append(F.interpolate(level, size=size, mode="bilinear", align_corners=False))
        return outputs


class _Features(nn.Module):
    """Encoder, P3M and PRM: 256 channels at stride 16."""

    channels = 128 + 3 * 32 + 32

    def __init__(self, size: int):
        super().__init__()
        if size % 64:
            raise ValueError(f"size must be a multiple of 64, got {size}")
        self.stem = _conv(1, 16, stride=2)  # s2: "Res1"
        self.stage2 = nn.Sequential(_conv(16, 32, stride=2), _conv(32, 32))  # s4
        self.stage3 = nn.Sequential(_conv(32, 64, stride=2), _conv(64, 64))  # s8
        self.stage4 = nn.Sequential(_conv(64, 128, stride=2), _conv(128, 128, dilation=2))  # s16
        self.p3m = _PriorPyramid(128, size // 16)
        self.prm = nn.Sequential(_conv(16, 32, stride=2), _conv(32, 32, stride=2), _conv(32, 32, stride=2))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The features at stride 16, and stage 2's at stride 4."""
        res1 = self.stem(x)
        shallow = self.stage2(res1)
        deep = self.stage4(self.stage3(shallow))
        return torch.cat([deep, *self.p3m(deep), self.prm(res1)], dim=1), shallow


def _upsample(logits: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return F.interpolate(logits, size=like.shape[-2:], mode="bilinear", align_corners=False)


class BarcodeSegNet(nn.Module):
    """Per-pixel scores of background and 1D code for a grey ``INPUT_SIZE`` x ``INPUT_SIZE`` image.

    Parameters
    ----------
    classes : int
        Output channels (2: background, code).
    size : int
        Input side in pixels, a multiple of 64.
    decoder : bool
        Classify at stride 4 from the head's and stage 2's features, rather
        than at stride 16.
    """

    def __init__(self, classes: int = 2, size: int = INPUT_SIZE, decoder: bool = False):
        super().__init__()
        self.features = _Features(size)
        if decoder:
            self.head = _conv(_Features.channels, 64)
            self.skip = nn.Sequential(nn.Conv2d(32, 16, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True))
            self.decoder = nn.Sequential(_conv(64 + 16, 32), nn.Conv2d(32, classes, 1))
        else:
            self.head = nn.Sequential(_conv(_Features.channels, 64), nn.Conv2d(64, classes, 1))
            self.decoder = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features, shallow = self.features(x)
        if self.decoder is None:
            return _upsample(self.head(features), x)
        joined = torch.cat([_upsample(self.head(features), shallow), self.skip(shallow)], dim=1)
        return _upsample(self.decoder(joined), x)


class MutuallyGuidedSegNet(nn.Module):
    """Bar and label heads on shared features, each guided by the other (S003).

    ``forward`` returns the second pass's bar scores, the same output as
    :class:`BarcodeSegNet`; :meth:`passes` returns every head's scores of
    both passes, for training.

    Parameters
    ----------
    size : int
        Input side in pixels, a multiple of 64.
    guide_channels : int
        Channels a guidance map is encoded into before it joins the features.
    """

    def __init__(self, size: int = INPUT_SIZE, guide_channels: int = 16):
        super().__init__()
        self.features = _Features(size)
        self.bar_guide = _conv(1, guide_channels)
        self.label_guide = _conv(1, guide_channels)
        width = _Features.channels + guide_channels
        self.bar_head = nn.Sequential(_conv(width, 64), nn.Conv2d(64, 2, 1))
        self.label_head = nn.Sequential(_conv(width, 64), nn.Conv2d(64, 2, 1))

    def _heads(self, features, bar_guidance, label_guidance):
        bars = self.bar_head(torch.cat([features, self.bar_guide(bar_guidance)], dim=1))
        labels = self.label_head(torch.cat([features, self.label_guide(label_guidance)], dim=1))
        return bars, labels

    def passes(self, x: torch.Tensor, guided: bool = True) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """(bar, label) scores at the input size: the unguided pass, then, if ``guided``, the guided one."""
        features, _ = self.features(x)
        zero = features.new_zeros((x.shape[0], 1, *features.shape[-2:]))
        bars, labels = self._heads(features, zero, zero)
        outputs = [(bars, labels)]
        if guided:
            # each head is guided by the other's code probability
            outputs.append(self._heads(features, torch.softmax(labels, 1)[:, 1:], torch.softmax(bars, 1)[:, 1:]))
        return [(_upsample(b, x), _upsample(r, x)) for b, r in outputs]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.passes(x)[-1][0]
