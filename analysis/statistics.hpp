#pragma once
// Statistics across replications.
#include <cstddef>
#include <span>

namespace marketsim::analysis {

struct Summary {
  std::size_t n = 0;       // finite values used
  double mean = 0;
  double sd = 0;           // sample standard deviation
  double half_width = 0;   // of the 95% confidence interval of the mean (Student t)
};

// Mean and 95% confidence interval (t with n-1 degrees of freedom); NaNs are skipped.
Summary summarize(std::span<const double> values);

}  // namespace marketsim::analysis
