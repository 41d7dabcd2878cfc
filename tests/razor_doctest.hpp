#pragma once
// Include this instead of <doctest/doctest.h>. LibTorch pulls in glog, whose CHECK macros would
// silently replace doctest's if glog came second; including glog's header first lets doctest win.
#include <c10/util/Logging.h>
#include <doctest/doctest.h>
