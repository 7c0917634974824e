#pragma once
// stadium_pact: the location contest of hq_bidding repeated over years for sports
// franchises (seed 003). Each year a team's lease expires with probability 1/lease_years;
// its current city and all others then bid subsidies (contest::settle_contest, the same
// mechanism as hq_bidding). Cities hold optimistic estimates of the (about zero) true
// benefit of hosting and learn from their own hosting and, under public or delayed
// disclosure (markets/disclosure.hpp), from others'. A contingent pact (match | cap | ban)
// binds its members iff members >= threshold; cities join, leave after being poached, or
// breach. Equations, timing, results and tests: docs/models/stadium_pact.md.
#include <cstdint>
#include <optional>
#include <vector>

#include "markets/disclosure.hpp"
#include "scenarios/hq_bidding/contest.hpp"
#include "sim/scenario.hpp"

namespace marketsim {

ScenarioInfo describe_stadium_pact();

class StadiumPact {
 public:
  explicit StadiumPact(Run& run);
  void step(std::int64_t round);
  void record(Run& run);
  void finish(Run& run);

 private:
  enum class JoinRule { expected, always, never };
  void update_membership();
  void hold_contest(std::size_t team, std::int64_t round);
  void learn(std::int64_t round);

  std::uint64_t seed_;
  std::size_t teams_, cities_;
  std::int64_t rounds_;
  double expiry_prob_, home_advantage_, fundamentals_sd_, bid_share_, learning_rate_, signal_sd_;
  bool pact_;
  JoinRule join_rule_;
  bool leave_when_poached_;
  std::int64_t threshold_, lag_;
  contest::PactTerms terms_;
  AuctionRules firm_;
  disclosure::Channel outcomes_;  // the hosts' realised yearly benefits, seen per the disclosure rule

  // per city
  std::vector<double> benefit_, estimate_, fundamentals_, bid_, payoff_, cum_payoff_;
  std::vector<std::uint8_t> member_, left_, bound_, breach_;
  std::vector<double> hosted_;  // teams hosted (a double for the Gini)
  // per team
  std::vector<std::size_t> home_;

  // the pact is active this year; the last contest's winning score (the cities' guide to
  // what it takes to win); the mean winner cost of all contests so far (public budgets)
  bool active_ = false;
  double last_winning_score_;
  // this year
  std::int64_t year_contests_ = 0, year_breaches_ = 0, year_relocations_ = 0;
  double year_subsidy_ = 0;
  // run totals
  std::int64_t contests_ = 0, breaches_ = 0, detected_ = 0, relocations_ = 0, active_years_ = 0, years_ = 0;
  double subsidy_ = 0, school_ = 0, cost_ = 0, benefit_won_ = 0, welfare_ = 0, team_surplus_ = 0, cities_payoff_ = 0,
         penalties_ = 0, fundamentals_won_ = 0, identity_error_ = 0;
  std::vector<double> gap_by_year_;  // cumulative cost - cumulative benefit at the end of each year
};

}  // namespace marketsim
