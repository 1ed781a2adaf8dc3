// decent_aga_next_period: the algorithms' rules that bindings apply themselves (decent.torch's
// optimizers), taken from cpp/algo so that each rule is written once.
#include <cmath>

#include "algo/algorithm.hpp"
#include "api_guard.hpp"

extern "C" {

decent_status decent_aga_next_period(int64_t initial_period, double initial_loss, double loss,
                                     int64_t current, int64_t* out) {
  DECENT_API_BEGIN();
  auto& result = decent::capi::require(out, "out");
  if (initial_period < 1)
    throw decent::InvalidArgument(
        fmt::format("initial_period {}: expected at least 1", initial_period));
  if (current < 1)
    throw decent::InvalidArgument(fmt::format("current {}: expected at least 1", current));
  if (std::isnan(initial_loss) || std::isnan(loss))
    throw decent::InvalidArgument(
        fmt::format("losses {} and {}: expected numbers, not NaN", initial_loss, loss));
  result = decent::algo::aga_next_period(initial_period, initial_loss, loss, current);
  DECENT_API_END();
}

}  // extern "C"
