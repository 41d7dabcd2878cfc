// The estimators family: resource estimators a search constrains and an export reports.
#include "flops_estimator.h"
#include "razor/plugin.h"

RAZOR_PLUGIN("estimators", "0.2.0", "Resource estimators: FLOPs (multiply-accumulates) and parameters",
             razor::component<razor::estimators::FlopsEstimator>(
                 "flops", "Multiply-accumulates and parameters of what one forward pass runs (mmcv convention)"))
