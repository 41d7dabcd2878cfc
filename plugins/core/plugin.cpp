// The core family: what every run uses — the plain classifier, cross-entropy, the data sets (the
// embedded digits, IDX files, CIFAR-10 binaries), the optimizers and the learning-rate schedules.
#include "adam.h"
#include "cifar10_dataset.h"
#include "classifier.h"
#include "constant_schedule.h"
#include "cosine_schedule.h"
#include "cross_entropy.h"
#include "digits_dataset.h"
#include "idx_dataset.h"
#include "razor/plugin.h"
#include "sgd.h"
#include "step_schedule.h"

using namespace razor::core;

RAZOR_PLUGIN(
    "core", "0.2.0", "The plain classifier, cross-entropy, data sets, optimizers and learning-rate schedules",
    razor::component<Classifier>(
        "classifier", "Trains one model with one loss on labelled images (the baseline every algorithm is compared with)"),
    razor::component<CrossEntropyLoss>("cross_entropy", "Softmax cross-entropy between logits and integer labels"),
    razor::component<DigitsDataset>(
        "digits", "The 1797 8x8 handwritten digits embedded in razor (UCI optdigits test set), or a CSV in that format"),
    razor::component<IdxDataset>("idx", "MNIST-format IDX image and label files, plain or gzipped (MNIST, Fashion-MNIST, ...)"),
    razor::component<Cifar10Dataset>("cifar10",
                                     "CIFAR-10, binary version: data_batch_1..5.bin for training, test_batch.bin for testing"),
    razor::component<Sgd>("sgd", "Stochastic gradient descent with momentum (optionally Nesterov) and L2 weight decay"),
    razor::component<Adam>("adam", "Adam with L2 weight decay"),
    razor::component<AdamW>("adamw", "Adam with decoupled weight decay (AdamW)"),
    razor::component<ConstantSchedule>("constant", "The base learning rate throughout, after an optional linear warm-up"),
    razor::component<StepSchedule>("step", "The base rate multiplied by gamma at each milestone epoch, after an optional warm-up"),
    razor::component<CosineSchedule>(
        "cosine", "Half a cosine from the base rate to min_lr over the run, per step, after an optional warm-up"))
