// The core family: what every run uses — the plain classifier, cross-entropy, the data sets (the
// embedded digits, IDX files, CIFAR-10 binaries, folders and lists of pictures), the data-pipeline
// transforms, the optimizers and the learning-rate schedules.
#include "adam.h"
#include "cifar10_dataset.h"
#include "classifier.h"
#include "constant_schedule.h"
#include "cosine_schedule.h"
#include "cross_entropy.h"
#include "digits_dataset.h"
#include "idx_dataset.h"
#include "images/file_list_dataset.h"
#include "images/image_folder_dataset.h"
#include "razor/plugin.h"
#include "sgd.h"
#include "step_schedule.h"
#include "transforms/center_crop.h"
#include "transforms/color_jitter.h"
#include "transforms/normalize.h"
#include "transforms/random_crop.h"
#include "transforms/random_flip.h"
#include "transforms/random_resized_crop.h"
#include "transforms/resize.h"
#include "transforms/to_tensor.h"

using namespace razor::core;

RAZOR_PLUGIN(
    "core", "0.2.0", "The plain classifier, cross-entropy, data sets, transforms, optimizers and learning-rate schedules",
    razor::component<Classifier>(
        "classifier", "Trains one model with one loss on labelled images (the baseline every algorithm is compared with)"),
    razor::component<CrossEntropyLoss>("cross_entropy", "Softmax cross-entropy between logits and integer labels"),
    razor::component<DigitsDataset>(
        "digits", "The 1797 8x8 handwritten digits embedded in razor (UCI optdigits test set), or a CSV in that format"),
    razor::component<IdxDataset>("idx", "MNIST-format IDX image and label files, plain or gzipped (MNIST, Fashion-MNIST, ...)"),
    razor::component<Cifar10Dataset>("cifar10",
                                     "CIFAR-10, binary version: data_batch_1..5.bin for training, test_batch.bin for testing"),
    razor::component<ImageFolderDataset>(
        "image_folder", "JPEG and PNG pictures in one folder per class (torchvision's ImageFolder), read as they are needed"),
    razor::component<FileListDataset>(
        "file_list", "JPEG and PNG pictures listed as 'path label' lines in annotation files (mmpretrain's format)"),
    razor::component<ToTensor>("to_tensor", "A picture (uint8, height x width x channels) to a float tensor in [0, 1]"),
    razor::component<Normalize>("normalize", "Subtracts a per-channel mean and divides by a per-channel standard deviation"),
    razor::component<RandomFlip>("random_flip", "Mirrors the sample left-right (or top-bottom) with a probability"),
    razor::component<RandomCrop>("random_crop", "A window at a random place, after an optional border (CIFAR-style)"),
    razor::component<CenterCrop>("center_crop", "The central window of a size"),
    razor::component<Resize>("resize", "To an exact size, or the shorter side to a length with the aspect ratio kept"),
    razor::component<RandomResizedCrop>(
        "random_resized_crop", "A window of random area and aspect ratio resized to a size (Inception-style crops)"),
    razor::component<ColorJitter>("color_jitter", "Random brightness, contrast, saturation and hue, in random order"),
    razor::component<Sgd>("sgd", "Stochastic gradient descent with momentum (optionally Nesterov) and L2 weight decay"),
    razor::component<Adam>("adam", "Adam with L2 weight decay"),
    razor::component<AdamW>("adamw", "Adam with decoupled weight decay (AdamW)"),
    razor::component<ConstantSchedule>("constant", "The base learning rate throughout, after an optional linear warm-up"),
    razor::component<StepSchedule>("step", "The base rate multiplied by gamma at each milestone epoch, after an optional warm-up"),
    razor::component<CosineSchedule>(
        "cosine", "Half a cosine from the base rate to min_lr over the run, per step, after an optional warm-up"))
