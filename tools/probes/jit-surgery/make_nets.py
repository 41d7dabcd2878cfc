import torch, torch.nn as nn, torchvision
torch.manual_seed(0)
class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dw = nn.Conv2d(c, c, 3, padding=1, groups=c, bias=False)
        self.bn = nn.BatchNorm2d(c)
    def forward(self, x):
        return torch.relu(self.bn(self.dw(x)))
class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.block1 = Block(16)   # two identical blocks -> type sharing
        self.block2 = Block(16)
        self.conv3 = nn.Conv2d(16, 8, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 10)
    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.block1(x)
        x = self.block2(x)
        x = self.bn3(self.conv3(x))
        x = x.mean([2, 3])
        return self.fc(x)
class Shuffle(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 1)
        self.conv2 = nn.Conv2d(8, 4, 1)
    def forward(self, x):
        x = self.conv(x)
        n, c, h, w = x.size()
        x = x.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)
        return self.conv2(x)
x = torch.randn(2, 3, 32, 32)
for name, m in [("cnn", SmallCNN()), ("shuf", Shuffle()),
                ("mbv2", torchvision.models.mobilenet_v2(num_classes=10)),
                ("shv2", torchvision.models.shufflenet_v2_x0_5(num_classes=10))]:
    m.eval()
    torch.jit.script(m).save(f"{name}_script.pt")
    if name != "mbv2":
        torch.jit.trace(m, x).save(f"{name}_trace.pt")
    print(name, m(x).shape)
