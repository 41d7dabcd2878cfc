"""PyTorch's DataLoader doing bench_loader's work: ImageFolder with PIL, torchvision transforms.

    bench_loader.py ROOT cifar|224 WORKERS BATCHES
"""
import sys
import time

import torch
from torchvision import datasets, transforms


def main():
    root, mode, workers, batches = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(1)
    normalize = transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    if mode == "cifar":
        pipeline = [transforms.RandomCrop(32, padding=4)]
        batch_size = 128
    else:
        pipeline = [transforms.RandomResizedCrop(224)]
        batch_size = 64
    pipeline += [transforms.RandomHorizontalFlip(), transforms.ToTensor(), normalize]
    data = datasets.ImageFolder(root, transforms.Compose(pipeline))
    loader = torch.utils.data.DataLoader(data, batch_size=batch_size, shuffle=True, num_workers=workers,
                                         drop_last=True, prefetch_factor=2 if workers else 2)
    warm_up, images = 2, 0
    start = None
    for i, (x, _) in enumerate(loader):
        if i == warm_up:
            start = time.perf_counter()
        if i >= warm_up:
            images += x.shape[0]
        if i + 1 == warm_up + batches:
            break
    seconds = time.perf_counter() - start
    print(f"pytorch {mode} workers={workers}: {images / seconds:.0f} images/s ({images} images in {seconds:.2f} s)")


if __name__ == "__main__":
    main()
