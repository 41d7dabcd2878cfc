"""Networks scripted and traced by Python for razor's `torchscript` architecture and `flops FILE.pt`.

Writes into OUT_DIR:
  tiny_scripted.pt  torch.jit.script of TinyNet (conv 3->8 3x3 + bias, batch norm, ReLU, pool, linear 8->10)
  tiny_traced.pt    torch.jit.trace of the same network on a 2x3x16x16 input
  frozen.pt         torch.jit.freeze of the scripted one: its weights are constants
  two_inputs.pt     a forward(x, y)
  no_forward.pt     a module with an exported method and no forward
  returns_tuple.pt  a forward returning (logits, features)
  own_conv.pt       a network whose first convolution is its own class (F.conv2d on its own weight)
  small_cnn.pt      a small CNN for 1-channel pictures (8x8 digits, 28x28 Fashion-MNIST): a residual block and
                    a depthwise convolution, scripted; what razor trains, prunes, distils and exports end to end
  io.pt             torch.save({'x': input, 'y': eval output, 'y_train': train-mode output})
  keys.txt          the state_dict's keys in order
  tv_<name>.pt      (with --torchvision) torchvision's resnet18, mobilenet_v2 and shufflenet_v2_x0_5 (10 classes), scripted
Usage: make_scripted_nets.py OUT_DIR [--torchvision]
"""
import os
import sys

import torch
from torch import nn


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))

    def forward(self, x):
        return self.head(torch.relu(self.bn1(self.conv1(x))))


class OwnConv(nn.Module):
    """A convolution razor's slicer does not know: its channels must not be pruned."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(8, 3, 3, 3) * 0.1)

    def forward(self, x):
        return torch.nn.functional.conv2d(x, self.weight, None, 1, 1)


class OwnConvNet(TinyNet):
    def __init__(self):
        super().__init__()
        self.conv1 = OwnConv()


def conv_bn(cin, cout, stride=1, groups=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, groups=groups, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class SmallCNN(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = conv_bn(1, 16)
        self.block = nn.Sequential(conv_bn(16, 32), conv_bn(32, 16))
        self.down = conv_bn(16, 32, stride=2)
        self.dw = conv_bn(32, 32, groups=32)
        self.pw = conv_bn(32, 64)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, classes))

    def forward(self, x):
        x = self.stem(x)
        x = x + self.block(x)
        return self.head(self.pw(self.dw(self.down(x))))


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x, y):
        return self.fc(x) + self.fc(y)


class NoForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    @torch.jit.export
    def predict(self, x):
        return self.fc(x)


class ReturnsTuple(TinyNet):
    def forward(self, x):
        features = torch.relu(self.bn1(self.conv1(x)))
        return self.head(features), features


def main(out):
    torch.manual_seed(0)
    net = TinyNet()
    with torch.no_grad():  # statistics that differ from the initial ones, so eval and train outputs differ
        net.bn1.running_mean.uniform_(-0.5, 0.5)
        net.bn1.running_var.uniform_(0.5, 2.0)
    x = torch.randn(2, 3, 16, 16)
    scripted = torch.jit.script(net)
    scripted.save(os.path.join(out, "tiny_scripted.pt"))
    net.eval()
    torch.jit.trace(net, x).save(os.path.join(out, "tiny_traced.pt"))
    torch.jit.freeze(torch.jit.script(net).eval()).save(os.path.join(out, "frozen.pt"))
    torch.jit.script(SmallCNN()).save(os.path.join(out, "small_cnn.pt"))
    torch.jit.script(OwnConvNet()).save(os.path.join(out, "own_conv.pt"))
    torch.jit.script(TwoInputs()).save(os.path.join(out, "two_inputs.pt"))
    torch.jit.script(ReturnsTuple()).save(os.path.join(out, "returns_tuple.pt"))
    torch.jit.script(NoForward()).save(os.path.join(out, "no_forward.pt"))
    with torch.no_grad():
        y = net(x)
        y_train = TinyNet.forward(net.train(), x)
    torch.save({"x": x, "y": y, "y_train": y_train}, os.path.join(out, "io.pt"))
    with open(os.path.join(out, "keys.txt"), "w") as f:
        f.write("\n".join(net.state_dict().keys()) + "\n")
    if len(sys.argv) > 2 and sys.argv[2] == "--torchvision":
        import torchvision.models as tvm
        for name in ("resnet18", "mobilenet_v2", "shufflenet_v2_x0_5"):
            torch.jit.script(getattr(tvm, name)(num_classes=10)).save(os.path.join(out, f"tv_{name}.pt"))


if __name__ == "__main__":
    main(sys.argv[1])
