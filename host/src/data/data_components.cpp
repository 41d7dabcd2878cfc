#include "data/data_components.h"

#include "data/cifar10_dataset.h"
#include "data/digits_dataset.h"
#include "data/idx_dataset.h"

namespace razor::host {

std::vector<ComponentInfo> data_components() {
  return {
      {"dataset", "digits", "1797 8x8 handwritten digits embedded in razor-host (UCI), or a CSV file like it",
       {{"path", "string", "''", "CSV(.gz) file with 64 pixel values 0..16 and a label per line; '' = embedded"}},
       &make_component<DigitsDataset>},
      {"dataset", "idx", "MNIST-format IDX files, plain or .gz (MNIST, Fashion-MNIST)",
       {{"root", "string", "'/usr/share/datasets/fashion-mnist'", "folder holding the four files"},
        {"train_images", "string", "'train-images-idx3-ubyte'", "training images (.gz tried when absent)"},
        {"train_labels", "string", "'train-labels-idx1-ubyte'", "training labels"},
        {"test_images", "string", "'t10k-images-idx3-ubyte'", "test images"},
        {"test_labels", "string", "'t10k-labels-idx1-ubyte'", "test labels"},
        {"num_classes", "int", "10", "number of classes; labels must be below it"}},
       &make_component<IdxDataset>},
      {"dataset", "cifar10", "CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin)",
       {{"root", "string", nullptr, "folder holding the .bin files"}},
       &make_component<Cifar10Dataset>},
  };
}

}  // namespace razor::host
