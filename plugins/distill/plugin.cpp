// The distill plugin: knowledge distillation — recorders, connectors, the configurable distiller
// and the single-teacher algorithm. The losses are in the kd_losses plugin.
#include "configurable_distiller.h"
#include "connectors.h"
#include "razor/plugin.h"
#include "recorders.h"
#include "single_teacher_distill.h"

using namespace razor::distill;

RAZOR_PLUGIN("distill", "0.1.0", "Knowledge distillation: recorders, connectors, distillers, teacher-student training",
             tap_recorder_info(), output_recorder_info(), labels_recorder_info(), conv_bn_connector_info(),
             linear_connector_info(), norm_connector_info(), configurable_distiller_info(),
             single_teacher_distill_info())
