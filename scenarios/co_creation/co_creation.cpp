// co_creation: co-creative versus top-down firms in a drifting, clustered taste space.
// Equations, timing and tests: docs/models/co_creation.md.
//
// Round t: (1) firms design from what they learnt up to t-1 (launch research for all at
// t = 1; then top-down firms research every review_period rounds, co-creative firms
// aggregate last round's customer ideas); (2) prices; (3) niche centres drift; (4) every
// consumer buys the best offer net of switching costs (parallel over fixed blocks,
// reading only round t-1 consumer state); customers of co-creative firms may submit
// ideas; (5) accounting. Totals are summed block by block in block order, so the output
// does not depend on the number of threads.
#include "scenarios/co_creation/co_creation.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <numeric>

#include "sim/distributions.hpp"
#include "sim/error.hpp"

namespace marketsim {
namespace co_creation {

double net_utilities(std::span<const double> ideal, const Menu& menu, const Chooser& terms, std::int32_t last_firm,
                     std::int32_t bonus_firm, std::span<double> out) {
  const std::size_t dims = menu.dims;
  if (ideal.size() != dims || out.size() != menu.size() || menu.location.size() != menu.size() * dims ||
      menu.price.size() != menu.size())
    throw Error(fmt::format("co_creation::net_utilities: sizes disagree (ideal {}, menu dims {}, products {}, out {})",
                            ideal.size(), dims, menu.size(), out.size()));
  double nearest = std::numeric_limits<double>::infinity();
  for (std::size_t p = 0; p < menu.size(); ++p) {
    double d2 = 0;
    for (std::size_t d = 0; d < dims; ++d) {
      const double e = ideal[d] - menu.location[p * dims + d];
      d2 += e * e;
    }
    nearest = std::min(nearest, d2);
    const std::int32_t f = menu.firm[p];
    out[p] = terms.quality - d2 - menu.price[p] + (f == bonus_firm ? terms.bonus : 0.0) -
             (last_firm >= 0 && f != last_firm ? terms.loyalty : 0.0);
  }
  return nearest;
}

std::int32_t choose(std::span<const double> net_utility, Stream& tie) {
  double best = 0;  // the outside option
  std::int32_t pick = -1;
  std::uint64_t ties = 1;
  for (std::size_t p = 0; p < net_utility.size(); ++p) {
    const double u = net_utility[p];
    if (u > best) best = u, pick = static_cast<std::int32_t>(p), ties = 1;
    else if (u == best) ++ties;
  }
  if (ties == 1) return pick;
  std::uint64_t r = tie.below(ties);  // candidates in order: the outside option (if tied), then products
  if (best == 0) {
    if (r == 0) return -1;
    --r;
  }
  for (std::size_t p = 0; p < net_utility.size(); ++p)
    if (net_utility[p] == best && r-- == 0) return static_cast<std::int32_t>(p);
  return pick;  // not reached
}

std::vector<std::uint32_t> sample_market(Stream& stream, std::uint32_t n, std::uint32_t k) {
  if (n == 0) throw Error("co_creation::sample_market: the market has no consumers (n = 0)");
  std::vector<std::uint32_t> out(k);
  for (auto& i : out) i = static_cast<std::uint32_t>(stream.below(n));
  return out;
}

void aggregate(Aggregation rule, std::size_t dims, std::span<const double> points, std::span<const double> weights,
               std::vector<double>& designs, int iterations) {
  if (dims == 0 || points.size() != weights.size() * dims || designs.empty() || designs.size() % dims != 0)
    throw Error(fmt::format("co_creation::aggregate: sizes disagree (dims {}, {} coordinates, {} weights, {} design "
                            "coordinates)", dims, points.size(), weights.size(), designs.size()));
  for (double w : weights)
    if (!(w > 0) || !std::isfinite(w)) throw Error(fmt::format("co_creation::aggregate: weight {} is not > 0", w));
  const std::size_t n = weights.size();
  if (n == 0) return;
  if (rule == Aggregation::Mean || rule == Aggregation::Median) {
    if (designs.size() != dims)
      throw Error(fmt::format("co_creation::aggregate: mean and median make one design, got {}", designs.size() / dims));
    if (rule == Aggregation::Mean) {
      const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
      for (std::size_t d = 0; d < dims; ++d) {
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) s += weights[i] * points[i * dims + d];
        designs[d] = s / total;
      }
      return;
    }
    const double half = std::accumulate(weights.begin(), weights.end(), 0.0) / 2;
    std::vector<std::pair<double, double>> column(n);
    for (std::size_t d = 0; d < dims; ++d) {
      for (std::size_t i = 0; i < n; ++i) column[i] = {points[i * dims + d], weights[i]};
      std::sort(column.begin(), column.end());
      double cumulative = 0;
      for (const auto& [value, w] : column) {
        cumulative += w;
        if (cumulative >= half) {
          designs[d] = value;
          break;
        }
      }
    }
    return;
  }
  // Weighted Lloyd k-means, warm-started from the current designs.
  const std::size_t k = designs.size() / dims;
  std::vector<std::uint32_t> cluster(n, static_cast<std::uint32_t>(k));
  std::vector<double> sums(k * dims), mass(k);
  for (int it = 0; it < iterations; ++it) {
    bool changed = false;
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(mass.begin(), mass.end(), 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      std::uint32_t best = 0;
      double best_d2 = std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < k; ++c) {
        double d2 = 0;
        for (std::size_t d = 0; d < dims; ++d) {
          const double e = points[i * dims + d] - designs[c * dims + d];
          d2 += e * e;
        }
        if (d2 < best_d2) best_d2 = d2, best = static_cast<std::uint32_t>(c);
      }
      changed = changed || cluster[i] != best;
      cluster[i] = best;
      mass[best] += weights[i];
      for (std::size_t d = 0; d < dims; ++d) sums[best * dims + d] += weights[i] * points[i * dims + d];
    }
    if (!changed) break;
    for (std::size_t c = 0; c < k; ++c)
      if (mass[c] > 0)
        for (std::size_t d = 0; d < dims; ++d) designs[c * dims + d] = sums[c * dims + d] / mass[c];
  }
}

}  // namespace co_creation

namespace {
namespace cc = co_creation;

constexpr std::uint32_t kConsumerTag = 1;   // niche, taste offset (agent = consumer, round 0)
constexpr std::uint32_t kCentreTag = 2;     // initial niche centres (agent = niche)
constexpr std::uint32_t kDriftTag = 3;      // drift steps of niche centres (agent = niche, round)
constexpr std::uint32_t kResearchTag = 4;   // market research sample and its noise (agent = firm, round)
constexpr std::uint32_t kTieTag = 5;        // tie-breaks in consumer choice (agent = consumer, round)
constexpr std::uint32_t kIdeaTag = 6;       // participation and idea noise (agent = consumer, round)
constexpr std::uint32_t kImitationTag = 7;  // ties among rivals to imitate under public designs (agent = firm)
constexpr std::uint32_t kBlock = 4096;      // consumers per block of the parallel round
constexpr std::size_t kMaxDims = 8;

// Per-round outcomes: series `<name>_t` and, averaged over rounds 1..T, scalars `<name>`.
constexpr std::array<analysis::RoundMetric, 13> kMetrics = {{
    {"share_cocreative", "1", "share of all consumers buying from co-creative firms (the three shares sum to 1)"},
    {"share_topdown", "1", "share of all consumers buying from top-down firms"},
    {"share_outside", "1", "share of consumers buying nothing (the outside option)"},
    {"cocreative_sales_share", "1", "co-creative firms' share of units sold (buyers only; NaN if nobody buys)"},
    {"profit_cocreative", "per consumer", "mean profit per co-creative firm per round (NaN if there is none)"},
    {"profit_topdown", "per consumer", "mean profit per top-down firm per round (NaN if there is none)"},
    {"profit_gap", "per consumer", "profit_cocreative - profit_topdown (paired within the market)"},
    {"consumer_surplus", "utility", "mean over consumers of the net utility of their choice (0 for the outside option)"},
    {"coverage", "1", "niche coverage: share of consumers within `radius` of some product"},
    {"distance", "feature units", "mean distance between a buyer's ideal point and the product it bought"},
    {"distance_cocreative", "feature units", "mean distance for buyers of co-creative firms (NaN if none)"},
    {"distance_topdown", "feature units", "mean distance for buyers of top-down firms (NaN if none)"},
    {"welfare", "per consumer", "consumer_surplus plus all firms' profits"},
}};
enum M { ShareCC, ShareTD, ShareOut, SalesShareCC, ProfitCC, ProfitTD, ProfitGap, Surplus, Coverage, Distance,
         DistanceCC, DistanceTD, Welfare };

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

ScenarioInfo describe_co_creation() {
  ScenarioInfo s;
  s.name = "co_creation";
  s.summary = "Co-creative versus top-down firms designing for drifting, clustered tastes";
  s.story =
      "Consumers with ideal points around drifting niche centres buy the product with the highest utility net of "
      "switching costs. Top-down firms design from periodic market research of the whole market; co-creative "
      "firms aggregate, every round, the noisy ideas a share of their own customers submit (mean, median or "
      "k-means variants). Where does co-creation out-earn deciding from the top? Hotelling (1929); wisdom of "
      "crowds and the diversity prediction theorem (Page 2007); Prahalad and Ramaswamy (2004).";
  s.default_rounds = 50;
  s.default_record_every = 1;
  auto& p = *s.schema;
  p.integer("consumers", 10000, {1, 1e8}, "consumers", "number of consumers");
  p.integer("dims", 2, {1, static_cast<double>(kMaxDims)}, "dimensions", "dimensions of the product feature space");
  p.integer("niches", 3, {1, 1e4}, "clusters", "taste clusters (niches); consumers are spread evenly over them at random");
  p.real("niche_spread", 0.15, {0, 10}, "feature units", "standard deviation of ideal points around their niche centre, per dimension");
  p.real("drift", 0.02, {0, 10}, "feature units", "standard deviation per round and dimension of the random walk of each niche centre");
  p.integer("firms", 10, {1, 1000}, "firms", "number of firms");
  p.real("co_creative_share", 0.5, {0, 1}, "1", "share of firms that co-create (round(share * firms) of them)");
  p.real("research_noise", 0.1, {0, 10}, "feature units", "standard deviation of the error of one observed ideal point in market research");
  p.integer("research_sample", 200, {1, 1e7}, "consumers", "consumers sampled (uniformly from the whole market) by one research study");
  p.integer("review_period", 10, {1, 1e6}, "rounds", "top-down firms redo research and redesign every review_period rounds");
  p.real("participation", 0.1, {0, 1}, "1", "probability that a customer of a co-creative firm submits an idea in a round");
  p.real("idea_noise", 0.2, {0, 10}, "feature units", "standard deviation of a submitted idea around the customer's ideal point");
  p.real("vocal_bias", 0.5, {0, 100}, "1", "an idea weighs 1 + vocal_bias * |z| (z: the customer's standardised offset from its niche centre)");
  p.real("participation_bonus", 0.02, {0, 10}, "utility", "loyalty bonus on a firm's products for a consumer who took part in its co-creation last round");
  p.real("co_creation_cost", 0.002, {0, 10}, "per consumer", "cost per round of running co-creation, per co-creative firm");
  p.choice("aggregation", "clusters", {"clusters", "mean", "median"},
           "how a firm (either type) turns data into designs: weighted k-means into `variants` products, or one product at the mean/median");
  p.integer("variants", 3, {1, 64}, "products", "products per firm under aggregation = clusters (one under mean and median)");
  p.real("variant_cost", 0.005, {0, 10}, "per consumer", "fixed cost per product per round, the same for both firm types");
  p.real("quality", 1.0, {0, 100}, "utility", "gross value of any product at zero distance");
  p.choice("pricing", "fixed", {"fixed", "hill_climb"},
           "fixed: every price is `price`; hill_climb: each firm moves its price by price_step and reverses when profit fell");
  p.real("price", 0.3, {0, 100}, "utility", "price of every product (the starting price under hill_climb)");
  p.real("price_step", 0.01, {0, 10}, "utility", "price change per round under hill_climb");
  p.real("unit_cost", 0.1, {0, 100}, "utility", "marginal cost of a unit sold");
  p.real("loyalty", 0.05, {0, 100}, "utility", "switching cost of buying from a firm other than last round's");
  p.real("radius", 0.2, {0, 100}, "feature units", "a consumer is covered if some product lies within this distance");
  p.choice("disclosure", "private", {"private", "public"},
           "public: designs and last round's profits are visible, and a top-down firm at review copies a more profitable rival");
  p.check({"aggregation", "research_sample", "variants"}, "research_sample >= variants under aggregation = clusters",
          [](const Params& q) {
            return q.choice("aggregation") != "clusters" || q.integer("research_sample") >= q.integer("variants");
          });
  p.check({"consumers", "firms"}, "consumers * firms <= 2^31 (and firms fit the int32 firm ids)",
          [](const Params& q) { return q.real("consumers") * q.real("firms") <= 2147483648.0; });
  analysis::RoundMetrics::declare_scalars(s, kMetrics);
  analysis::RoundMetrics::declare_series(s, kMetrics);
  return s;
}

struct CoCreation::Block {
  std::vector<std::int64_t> sales;
  std::int64_t outside = 0, covered = 0;
  double surplus = 0, distance_cc = 0, distance_td = 0;
  std::vector<std::vector<double>> ideas, weights;  // per firm
};

CoCreation::~CoCreation() = default;

CoCreation::CoCreation(Run& run) : seed_(run.seed()), now_(kMetrics) {
  const Params& q = run.params();
  n_ = static_cast<std::uint32_t>(q.integer("consumers"));
  dims_ = static_cast<std::uint32_t>(q.integer("dims"));
  niches_ = static_cast<std::uint32_t>(q.integer("niches"));
  const auto firms = static_cast<std::size_t>(q.integer("firms"));
  n_cocreative_ = static_cast<std::size_t>(std::lround(q.real("co_creative_share") * static_cast<double>(firms)));
  spread_ = q.real("niche_spread");
  drift_sd_ = q.real("drift");
  research_noise_ = q.real("research_noise");
  research_sample_ = static_cast<std::uint32_t>(q.integer("research_sample"));
  review_period_ = static_cast<std::uint32_t>(q.integer("review_period"));
  participation_ = q.real("participation");
  idea_noise_ = q.real("idea_noise");
  vocal_bias_ = q.real("vocal_bias");
  cc_cost_ = q.real("co_creation_cost");
  const std::string& agg = q.choice("aggregation");
  rule_ = agg == "mean" ? cc::Aggregation::Mean : agg == "median" ? cc::Aggregation::Median : cc::Aggregation::Clusters;
  const std::size_t variants = rule_ == cc::Aggregation::Clusters ? static_cast<std::size_t>(q.integer("variants")) : 1;
  variant_cost_ = q.real("variant_cost");
  unit_cost_ = q.real("unit_cost");
  hill_climb_ = q.choice("pricing") == "hill_climb";
  price_step_ = q.real("price_step");
  radius_ = q.real("radius");
  public_designs_ = q.choice("disclosure") == "public";
  terms_ = {q.real("quality"), q.real("loyalty"), q.real("participation_bonus")};

  centres_.resize(static_cast<std::size_t>(niches_) * dims_);
  for (std::uint32_t k = 0; k < niches_; ++k) {
    Stream s(seed_, kCentreTag, k);
    for (std::uint32_t d = 0; d < dims_; ++d) centres_[k * dims_ + d] = 2 * s.uniform01() - 1;  // uniform on [-1, 1)
  }
  niche_.resize(n_);
  offset_.resize(static_cast<std::size_t>(n_) * dims_);
  voice_.resize(n_);
  tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, n_, kBlock), [&](const auto& r) {
    for (std::uint32_t i = r.begin(); i != r.end(); ++i) {
      Stream s(seed_, kConsumerTag, i);
      niche_[i] = static_cast<std::uint32_t>(s.below(niches_));
      double norm2 = 0;
      for (std::uint32_t d = 0; d < dims_; ++d) {
        const double z = standard_normal(s);
        offset_[static_cast<std::size_t>(i) * dims_ + d] = z;
        norm2 += z * z;
      }
      voice_[i] = 1 + vocal_bias_ * std::sqrt(norm2);
    }
  });
  last_firm_.assign(n_, -1);
  next_firm_.assign(n_, -1);
  joined_.assign(n_, -1);
  next_joined_.assign(n_, -1);

  designs_.assign(firms, std::vector<double>(variants * dims_, 0.0));
  price_.assign(firms, q.real("price"));
  profit_.assign(firms, 0.0);
  previous_profit_.assign(firms, 0.0);
  direction_.assign(firms, 1.0);
  sales_.assign(firms, 0);
  ideas_.assign(firms, {});
  idea_weights_.assign(firms, {});
  blocks_.resize((n_ + kBlock - 1) / kBlock);
  for (auto& b : blocks_) {
    b.sales.assign(firms, 0);
    b.ideas.assign(firms, {});
    b.weights.assign(firms, {});
  }
  menu_.dims = dims_;
}

double CoCreation::fixed_cost(std::size_t firm) const {
  return static_cast<double>(designs_[firm].size() / dims_) * variant_cost_ + (co_creative(firm) ? cc_cost_ : 0.0);
}

void CoCreation::redesign(std::uint32_t t) {
  const std::size_t firms = designs_.size();
  for (std::size_t f = 0; f < firms; ++f) {
    const bool research = t == 1 || (!co_creative(f) && (t - 1) % review_period_ == 0);
    if (research) {
      // Market research: a uniform sample of the whole market, each ideal point (as of
      // round t-1) observed with noise.
      Stream s(seed_, kResearchTag, static_cast<std::uint32_t>(f), t);
      const auto sample = cc::sample_market(s, n_, research_sample_);
      std::vector<double> points(sample.size() * dims_);
      for (std::size_t j = 0; j < sample.size(); ++j) {
        const std::uint32_t i = sample[j];
        for (std::uint32_t d = 0; d < dims_; ++d)
          points[j * dims_ + d] = centres_[niche_[i] * dims_ + d] +
                                  spread_ * offset_[static_cast<std::size_t>(i) * dims_ + d] + research_noise_ * standard_normal(s);
      }
      if (t == 1)  // launch: k-means starts from the first sampled points
        std::copy_n(points.begin(), designs_[f].size(), designs_[f].begin());
      cc::aggregate(rule_, dims_, points, std::vector<double>(sample.size(), 1.0), designs_[f]);
      if (public_designs_ && t > 1) {
        // Designs are public: copy the most profitable rival (ties at random) if it earned more.
        double best = -std::numeric_limits<double>::infinity();
        std::vector<std::size_t> leaders;
        for (std::size_t g = 0; g < firms; ++g) {
          if (g == f) continue;
          if (profit_[g] > best) best = profit_[g], leaders.assign(1, g);
          else if (profit_[g] == best) leaders.push_back(g);
        }
        if (!leaders.empty() && best > profit_[f]) {
          Stream pick(seed_, kImitationTag, static_cast<std::uint32_t>(f), t);
          designs_[f] = designs_[leaders[pick.below(leaders.size())]];
        }
      }
    } else if (co_creative(f) && !idea_weights_[f].empty()) {
      cc::aggregate(rule_, dims_, ideas_[f], idea_weights_[f], designs_[f]);
    }
  }
}

void CoCreation::set_prices(std::uint32_t t) {
  if (!hill_climb_ || t < 2) return;
  for (std::size_t f = 0; f < price_.size(); ++f) {
    if (t >= 3 && profit_[f] < previous_profit_[f]) direction_[f] = -direction_[f];
    price_[f] = std::clamp(price_[f] + direction_[f] * price_step_, unit_cost_, std::max(unit_cost_, terms_.quality));
  }
}

void CoCreation::drift(std::uint32_t t) {
  if (drift_sd_ == 0) return;
  for (std::uint32_t k = 0; k < niches_; ++k) {
    Stream s(seed_, kDriftTag, k, t);
    for (std::uint32_t d = 0; d < dims_; ++d) centres_[k * dims_ + d] += drift_sd_ * standard_normal(s);
  }
}

void CoCreation::build_menu() {
  menu_.firm.clear();
  menu_.price.clear();
  menu_.location.clear();
  for (std::size_t f = 0; f < designs_.size(); ++f) {
    for (std::size_t v = 0; v < designs_[f].size() / dims_; ++v) {
      menu_.firm.push_back(static_cast<std::int32_t>(f));
      menu_.price.push_back(price_[f]);
    }
    menu_.location.insert(menu_.location.end(), designs_[f].begin(), designs_[f].end());
  }
}

void CoCreation::choose_all(std::uint32_t t) {
  const double radius2 = radius_ * radius_;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks_.size(), 1), [&](const auto& r) {
    std::vector<double> net(menu_.size());
    std::array<double, kMaxDims> x{};
    for (std::size_t b = r.begin(); b != r.end(); ++b) {
      // Totals in locals, stored once at the end: no writes to memory that a block on
      // another thread may share a cache line with.
      Block& blk = blocks_[b];
      Block local;
      local.sales.assign(blk.sales.size(), 0);
      local.ideas.swap(blk.ideas);
      local.weights.swap(blk.weights);
      for (auto& v : local.ideas) v.clear();
      for (auto& v : local.weights) v.clear();
      const auto end = static_cast<std::uint32_t>(std::min<std::size_t>((b + 1) * kBlock, n_));
      for (auto i = static_cast<std::uint32_t>(b * kBlock); i < end; ++i) {
        const double* z = &offset_[static_cast<std::size_t>(i) * dims_];
        const double* c = &centres_[niche_[i] * dims_];
        for (std::uint32_t d = 0; d < dims_; ++d) x[d] = c[d] + spread_ * z[d];
        const std::span<const double> ideal(x.data(), dims_);
        const double nearest = cc::net_utilities(ideal, menu_, terms_, last_firm_[i], joined_[i], net);
        local.covered += nearest <= radius2;
        Stream tie(seed_, kTieTag, i, t);
        const std::int32_t j = cc::choose(net, tie);
        next_joined_[i] = -1;
        if (j < 0) {
          next_firm_[i] = -1;
          ++local.outside;
          continue;
        }
        const std::int32_t f = menu_.firm[j];
        next_firm_[i] = f;
        ++local.sales[f];
        local.surplus += net[j];
        double d2 = 0;
        for (std::uint32_t d = 0; d < dims_; ++d) {
          const double e = x[d] - menu_.location[j * dims_ + d];
          d2 += e * e;
        }
        if (!co_creative(f)) {
          local.distance_td += std::sqrt(d2);
          continue;
        }
        local.distance_cc += std::sqrt(d2);
        if (participation_ == 0) continue;
        Stream s(seed_, kIdeaTag, i, t);
        if (s.uniform01() >= participation_) continue;
        next_joined_[i] = f;
        for (std::uint32_t d = 0; d < dims_; ++d) local.ideas[f].push_back(x[d] + idea_noise_ * standard_normal(s));
        local.weights[f].push_back(voice_[i]);
      }
      blk = std::move(local);
    }
  });
  std::swap(last_firm_, next_firm_);
  std::swap(joined_, next_joined_);
}

void CoCreation::step(std::int64_t round) {
  const auto t = static_cast<std::uint32_t>(round);
  redesign(t);
  set_prices(t);
  build_menu();
  drift(t);
  choose_all(t);

  // Totals in block order.
  const std::size_t firms = designs_.size();
  std::fill(sales_.begin(), sales_.end(), 0);
  std::int64_t outside = 0, covered = 0;
  double surplus = 0, distance_cc = 0, distance_td = 0;
  for (auto& v : ideas_) v.clear();
  for (auto& v : idea_weights_) v.clear();
  for (const Block& blk : blocks_) {
    for (std::size_t f = 0; f < firms; ++f) {
      sales_[f] += blk.sales[f];
      ideas_[f].insert(ideas_[f].end(), blk.ideas[f].begin(), blk.ideas[f].end());
      idea_weights_[f].insert(idea_weights_[f].end(), blk.weights[f].begin(), blk.weights[f].end());
    }
    outside += blk.outside;
    covered += blk.covered;
    surplus += blk.surplus;
    distance_cc += blk.distance_cc;
    distance_td += blk.distance_td;
  }

  const double n = n_;
  std::int64_t sold_cc = 0, sold_td = 0;
  double profit_cc = 0, profit_td = 0, profit_all = 0;
  previous_profit_ = profit_;
  for (std::size_t f = 0; f < firms; ++f) {
    profit_[f] = (price_[f] - unit_cost_) * static_cast<double>(sales_[f]) / n - fixed_cost(f);
    profit_all += profit_[f];
    (co_creative(f) ? sold_cc : sold_td) += sales_[f];
    (co_creative(f) ? profit_cc : profit_td) += profit_[f];
  }
  const auto ratio = [](double a, double b) { return b > 0 ? a / b : kNaN; };
  now_[ShareCC] = static_cast<double>(sold_cc) / n;
  now_[ShareTD] = static_cast<double>(sold_td) / n;
  now_[ShareOut] = static_cast<double>(outside) / n;
  now_[SalesShareCC] = ratio(static_cast<double>(sold_cc), static_cast<double>(sold_cc + sold_td));
  now_[ProfitCC] = ratio(profit_cc, static_cast<double>(n_cocreative_));
  now_[ProfitTD] = ratio(profit_td, static_cast<double>(firms - n_cocreative_));
  now_[ProfitGap] = now_[ProfitCC] - now_[ProfitTD];
  now_[Surplus] = surplus / n;
  now_[Coverage] = static_cast<double>(covered) / n;
  now_[Distance] = ratio(distance_cc + distance_td, static_cast<double>(sold_cc + sold_td));
  now_[DistanceCC] = ratio(distance_cc, static_cast<double>(sold_cc));
  now_[DistanceTD] = ratio(distance_td, static_cast<double>(sold_td));
  now_[Welfare] = now_[Surplus] + profit_all;
  now_.close_round();
  ++rounds_done_;
}

void CoCreation::record(Run& run) { now_.record(run); }

void CoCreation::finish(Run& run) { now_.finish(run); }

MARKETSIM_SCENARIO(describe_co_creation, CoCreation);

}  // namespace marketsim
