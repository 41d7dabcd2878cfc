// The quantization family: observers and the quantize algorithm (post-training quantization,
// quantization-aware training, learned scales), exported as int8 TorchScript.
#include "observers.h"
#include "quantize.h"
#include "razor/plugin.h"

using namespace razor::quantization;

RAZOR_PLUGIN("quantization", "0.1.0", "Quantization: int8 post-training quantization and quantization-aware training",
             razor::component<Quantize>("quantize", "A float model made int8: calibrated (PTQ) or trained (QAT, LSQ), "
                                                    "exported as an int8 TorchScript file"),
             razor::component<MinMaxObserver>("min_max", "The smallest and largest value seen (per tensor)"),
             razor::component<MovingAverageMinMaxObserver>(
                 "moving_average_min_max", "Each call's min and max, averaged over calls (per tensor)"),
             razor::component<PerChannelMinMaxObserver>(
                 "per_channel_min_max", "Min and max of each output channel (dimension 0): for weights"),
             razor::component<HistogramObserver>(
                 "histogram", "A histogram of the values; the range of least int8 rounding and clipping error, "
                              "or a central percentile"))
