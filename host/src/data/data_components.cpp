#include "data/data_components.h"

#include "data/cifar10_dataset.h"
#include "data/digits_dataset.h"
#include "data/idx_dataset.h"

namespace razor::host {

std::vector<ComponentInfo> data_components() {
  return {
      {"dataset",
       "digits",
       "The 1797 8x8 handwritten digits built into razor-host (UCI optdigits test set), or a CSV in that format",
       {{"path", "string", "''",
         "CSV file (.gz is gunzipped) of 64 pixel values 0..16 then a label 0..9 per line; '' for the embedded copy"}},
       &make_component<DigitsDataset>},
      {"dataset",
       "idx",
       "MNIST-format IDX image and label files, plain or gzipped (MNIST, Fashion-MNIST, ...)",
       {{"root", "string", "'/usr/share/datasets/fashion-mnist'", "directory holding the four files"},
        {"train_images", "string", "'train-images-idx3-ubyte'", "training images; the .gz file is used if the plain one is absent"},
        {"train_labels", "string", "'train-labels-idx1-ubyte'", "training labels; the .gz file is used if the plain one is absent"},
        {"test_images", "string", "'t10k-images-idx3-ubyte'", "test images; the .gz file is used if the plain one is absent"},
        {"test_labels", "string", "'t10k-labels-idx1-ubyte'", "test labels; the .gz file is used if the plain one is absent"},
        {"num_classes", "int", "10", "number of classes, 1..256; every label must be below it"}},
       &make_component<IdxDataset>},
      {"dataset",
       "cifar10",
       "CIFAR-10, binary version: data_batch_1..5.bin for training, test_batch.bin for testing",
       {{"root", "string", nullptr, "directory holding data_batch_1.bin .. data_batch_5.bin and test_batch.bin"}},
       &make_component<Cifar10Dataset>},
  };
}

}  // namespace razor::host
