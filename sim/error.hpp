#pragma once
// The one exception type of marketsim. Every message is one line that names what was
// wrong (scenario, key, file and line) and what is allowed; the CLI prints it as is
// and Python raises it as marketsim.Error.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace marketsim {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Edit distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, or "" when none is close enough to be a likely typo.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");

}  // namespace marketsim
