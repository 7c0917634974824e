// Social networks (markets/network.hpp): CSR invariants, the implicit complete graph,
// degree statistics of the generators against their laws, clustering of the small world
// (exact at beta = 0; Barrat and Weigt 2000 for small beta), reproducibility and errors.
#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <numeric>

#include "markets/network.hpp"

namespace ms = marketsim;

namespace {

// Offsets well formed; each list sorted strictly (no duplicates), no self-loops; symmetric.
void expect_valid_csr(const ms::Network& net) {
  ASSERT_FALSE(net.is_complete());
  const auto off = net.offsets();
  const auto adj = net.adjacency();
  ASSERT_EQ(off.size(), std::size_t{net.size()} + 1);
  ASSERT_EQ(off[0], 0u);
  ASSERT_EQ(off[net.size()], adj.size());
  ASSERT_EQ(adj.size() % 2, 0u);
  std::uint64_t bad = 0;
  for (ms::NodeId i = 0; i < net.size(); ++i) {
    ASSERT_LE(off[i], off[i + 1]);
    for (std::uint64_t k = off[i]; k < off[i + 1]; ++k) {
      const ms::NodeId j = adj[k];
      if (j >= net.size() || j == i || (k > off[i] && adj[k - 1] >= j) || !net.has_edge(j, i)) ++bad;
    }
  }
  EXPECT_EQ(bad, 0u);
}

struct DegreeStats {
  double mean = 0, variance = 0;
  std::uint32_t min = 0, max = 0;
};

DegreeStats degree_stats(const ms::Network& net) {
  auto h = ms::degree_histogram(net);
  DegreeStats s;
  double n = net.size(), sum = 0, sq = 0;
  for (std::size_t d = 0; d < h.size(); ++d) sum += d * static_cast<double>(h[d]), sq += d * d * static_cast<double>(h[d]);
  s.mean = sum / n;
  s.variance = sq / n - s.mean * s.mean;
  s.min = static_cast<std::uint32_t>(std::find_if(h.begin(), h.end(), [](auto c) { return c > 0; }) - h.begin());
  s.max = static_cast<std::uint32_t>(h.size() - 1);
  return s;
}

// Fraction of nodes with degree >= k.
double ccdf(const std::vector<std::uint64_t>& h, std::size_t k, double n) {
  double c = 0;
  for (std::size_t d = k; d < h.size(); ++d) c += static_cast<double>(h[d]);
  return c / n;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ms::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Network, FromEdgesBuildsASortedSymmetricCsr) {
  // A triangle 0-1-2 with a pendant 3 on node 2, edges given in any orientation and order.
  const std::vector<ms::Edge> edges = {{2, 3}, {1, 0}, {2, 1}, {0, 2}};
  auto net = ms::Network::from_edges(5, edges);
  expect_valid_csr(net);
  EXPECT_EQ(net.size(), 5u);
  EXPECT_EQ(net.edge_count(), 4u);
  EXPECT_DOUBLE_EQ(net.mean_degree(), 8.0 / 5);
  EXPECT_EQ(net.degree(2), 3u);
  EXPECT_EQ(net.degree(4), 0u);  // isolated
  auto n2 = net.neighbours(2);
  EXPECT_EQ(std::vector<ms::NodeId>(n2.begin(), n2.end()), (std::vector<ms::NodeId>{0, 1, 3}));
  EXPECT_TRUE(net.has_edge(3, 2));
  EXPECT_FALSE(net.has_edge(0, 3));
  std::vector<ms::NodeId> seen;
  net.for_each_neighbour(0, [&](ms::NodeId j) { seen.push_back(j); });
  EXPECT_EQ(seen, (std::vector<ms::NodeId>{1, 2}));
  // C_i = 1, 1, 1/3, 0, 0 -> mean 7/15; 1 triangle, triples 1 + 1 + 3 = 5 -> 3/5.
  EXPECT_DOUBLE_EQ(ms::average_clustering(net), (1 + 1 + 1.0 / 3) / 5);
  EXPECT_DOUBLE_EQ(ms::transitivity(net), 3.0 / 5);
  EXPECT_EQ(ms::degree_histogram(net), (std::vector<std::uint64_t>{1, 1, 2, 1}));
}

TEST(Network, FromEdgesRejectsWhatIsNotASimpleGraph) {
  EXPECT_NE(error_of([] { ms::Network::from_edges(3, std::vector<ms::Edge>{{0, 1}, {1, 1}}); }).find("self-loop (1, 1)"),
            std::string::npos);
  EXPECT_NE(error_of([] { ms::Network::from_edges(3, std::vector<ms::Edge>{{0, 1}, {2, 1}, {1, 0}}); })
                .find("duplicate edge (0, 1)"),
            std::string::npos);
  EXPECT_NE(error_of([] { ms::Network::from_edges(3, std::vector<ms::Edge>{{0, 3}}); }).find("outside 0..2"),
            std::string::npos);
  auto net = ms::Network::from_edges(3, std::vector<ms::Edge>{{0, 1}});
  EXPECT_THROW(net.degree(3), ms::Error);
  EXPECT_THROW(net.neighbours(7), ms::Error);
}

TEST(Network, CompleteGraphIsImplicit) {
  const ms::NodeId n = 1000000;
  auto net = ms::Network::complete(n);
  EXPECT_TRUE(net.is_complete());
  EXPECT_EQ(net.edge_count(), std::uint64_t{n} * (n - 1) / 2);
  EXPECT_EQ(net.degree(12345), n - 1);
  EXPECT_DOUBLE_EQ(net.mean_degree(), n - 1);
  EXPECT_TRUE(net.offsets().empty());  // nothing stored
  EXPECT_TRUE(net.adjacency().empty());
  EXPECT_TRUE(net.has_edge(0, n - 1));
  EXPECT_FALSE(net.has_edge(5, 5));
  EXPECT_NE(error_of([&] { net.neighbours(0); }).find("implicit"), std::string::npos);
  auto small = ms::Network::complete(4);
  std::vector<ms::NodeId> seen;
  small.for_each_neighbour(2, [&](ms::NodeId j) { seen.push_back(j); });
  EXPECT_EQ(seen, (std::vector<ms::NodeId>{0, 1, 3}));
  EXPECT_EQ(ms::average_clustering(small), 1.0);
  EXPECT_EQ(ms::degree_histogram(small), (std::vector<std::uint64_t>{0, 0, 0, 4}));
}

TEST(Network, ErdosRenyiHasBinomialDegrees) {
  const ms::NodeId n = 100000;
  const double z = 10, p = z / (n - 1);
  auto net = ms::erdos_renyi(n, z, 42, 1);
  expect_valid_csr(net);
  // Edges ~ Binomial(n(n-1)/2, p): mean n z / 2 = 5e5, sd ~ 707.
  EXPECT_NEAR(static_cast<double>(net.edge_count()), n * z / 2, 4 * std::sqrt(n * z / 2));
  auto s = degree_stats(net);
  EXPECT_NEAR(s.mean, z, 0.06);
  EXPECT_NEAR(s.variance, (n - 1) * p * (1 - p), 0.3);  // Poisson-like: variance = mean
  // The degree law: Poisson(10) point probabilities within 0.004 (sampling sd <= 0.0013).
  auto h = ms::degree_histogram(net);
  double poisson = std::exp(-z);
  for (std::size_t k = 0; k <= 20; ++k) {
    if (k > 0) poisson *= z / k;
    EXPECT_NEAR(k < h.size() ? h[k] / static_cast<double>(n) : 0.0, poisson, 0.004) << "degree " << k;
  }
}

TEST(Network, ErdosRenyiJoinsEveryPairWithProbabilityP) {
  // Small graph, many seeds: each of the 45 pairs is an edge in about a third of the
  // graphs (the geometric skipping neither skips nor repeats candidates).
  const ms::NodeId n = 10;
  const int graphs = 4000;
  std::vector<int> hits(n * n, 0);
  for (int g = 0; g < graphs; ++g) {
    auto net = ms::erdos_renyi(n, 3, g, 1);  // p = 3/9
    for (ms::NodeId i = 0; i < n; ++i)
      for (ms::NodeId j : net.neighbours(i)) ++hits[i * n + j];
  }
  const double sd = std::sqrt(1.0 / 3 * 2.0 / 3 / graphs);
  for (ms::NodeId i = 0; i < n; ++i)
    for (ms::NodeId j = i + 1; j < n; ++j) EXPECT_NEAR(hits[i * n + j] / double(graphs), 1.0 / 3, 4.5 * sd) << i << "-" << j;
}

TEST(Network, ErdosRenyiEdgeCases) {
  EXPECT_EQ(ms::erdos_renyi(50, 0, 1, 1).edge_count(), 0u);
  auto full = ms::erdos_renyi(50, 49, 1, 1);  // p = 1: the complete graph, stored
  expect_valid_csr(full);
  EXPECT_EQ(full.edge_count(), 50u * 49 / 2);
  EXPECT_EQ(ms::erdos_renyi(1, 0, 1, 1).size(), 1u);
  EXPECT_NE(error_of([] { ms::erdos_renyi(100, 100, 1, 1); }).find("must be in [0, n-1 = 99]"), std::string::npos);
  EXPECT_NE(error_of([] { ms::erdos_renyi(100, -1, 1, 1); }).find("mean_degree = -1"), std::string::npos);
  EXPECT_THROW(ms::erdos_renyi(100, std::nan(""), 1, 1), ms::Error);
  EXPECT_THROW(ms::erdos_renyi(0, 0, 1, 1), ms::Error);
}

TEST(Network, WattsStrogatzLatticeHasItsExactClustering) {
  const ms::NodeId n = 10000;
  for (std::uint32_t k : {4u, 10u}) {
    SCOPED_TRACE(k);
    auto net = ms::watts_strogatz(n, k, 0.0, 1, 1);
    expect_valid_csr(net);
    EXPECT_EQ(net.edge_count(), std::uint64_t{n} * k / 2);
    const double c0 = 3.0 * (k - 2) / (4.0 * (k - 1));
    EXPECT_NEAR(ms::average_clustering(net), c0, 1e-12);
    EXPECT_NEAR(ms::transitivity(net), c0, 1e-12);
    std::vector<ms::NodeId> expect;
    for (std::uint32_t j = 1; j <= k / 2; ++j) expect.push_back(j);
    for (std::uint32_t j = k / 2; j >= 1; --j) expect.push_back(n - j);
    auto nb = net.neighbours(0);
    EXPECT_EQ(std::vector<ms::NodeId>(nb.begin(), nb.end()), expect);
  }
}

TEST(Network, WattsStrogatzClusteringFollowsBarratWeigt) {
  // A lattice triangle survives if none of its three edges is rewired, so the global
  // clustering is C(beta) ~ C(0) (1 - beta)^3 (Barrat and Weigt 2000) for small beta.
  // Exactly, the connected triples grow with the degree variance the rewiring adds,
  // var = (k/2) beta (2 - beta) (a node keeps its own k/2 edges, keeps each of the k/2 it
  // receives from the lattice with probability 1 - beta, and gains Poisson(beta k/2)
  // rewired ones), so T = C(0) (1 - beta)^3 k (k-1) / (k (k-1) + var) up to O(k^2/n).
  const ms::NodeId n = 50000;
  const std::uint32_t k = 10;
  const double c0 = 3.0 * (k - 2) / (4.0 * (k - 1));
  for (double beta : {0.01, 0.05, 0.1, 0.2}) {
    SCOPED_TRACE(beta);
    auto net = ms::watts_strogatz(n, k, beta, 7, 1);
    expect_valid_csr(net);
    EXPECT_EQ(net.edge_count(), std::uint64_t{n} * k / 2);
    auto d = degree_stats(net);
    EXPECT_GE(d.min, k / 2);
    const double var = k / 2.0 * beta * (2 - beta);
    EXPECT_NEAR(d.variance, var, 0.05 * var + 0.01);
    const double barrat_weigt = c0 * std::pow(1 - beta, 3);
    const double t = ms::transitivity(net), c = ms::average_clustering(net);
    if (beta <= 0.1) {
      EXPECT_NEAR(t, barrat_weigt, 0.02 * barrat_weigt);
      EXPECT_NEAR(c, barrat_weigt, 0.02 * barrat_weigt);
    }
    EXPECT_NEAR(t, barrat_weigt * k * (k - 1) / (k * (k - 1) + var), 0.005 * barrat_weigt);
  }
  // Fully rewired: a random graph, clustering ~ k / n.
  EXPECT_LT(ms::average_clustering(ms::watts_strogatz(n, k, 1.0, 7, 1)), 0.002);
}

TEST(Network, WattsStrogatzBadParameters) {
  EXPECT_NE(error_of([] { ms::watts_strogatz(100, 5, 0.1, 1, 1); }).find("k = 5 must be even"), std::string::npos);
  EXPECT_NE(error_of([] { ms::watts_strogatz(10, 10, 0.1, 1, 1); }).find("at most n-1 = 9"), std::string::npos);
  EXPECT_NE(error_of([] { ms::watts_strogatz(100, 4, 1.5, 1, 1); }).find("must be in [0, 1]"), std::string::npos);
  // k = n-1 (n odd) is the complete graph: rewiring finds nowhere to go and stops.
  auto full = ms::watts_strogatz(11, 10, 1.0, 1, 1);
  EXPECT_EQ(full.edge_count(), 55u);
}

TEST(Network, BarabasiAlbertHasAPowerLawTail) {
  const ms::NodeId n = 100000;
  const std::uint32_t m = 3;
  auto net = ms::barabasi_albert(n, m, 5, 1);
  expect_valid_csr(net);
  EXPECT_EQ(net.edge_count(), std::uint64_t{m} * (m + 1) / 2 + std::uint64_t{n - m - 1} * m);
  EXPECT_EQ(degree_stats(net).min, m);
  auto h = ms::degree_histogram(net);
  // P(degree >= k) = m (m+1) / (k (k+1)) for large n.
  for (std::size_t k : {3, 6, 12, 24, 48}) {
    const double law = m * (m + 1.0) / (k * (k + 1.0));
    EXPECT_NEAR(ccdf(h, k, n), law, 0.06 * law) << "k " << k;
  }
  // Least-squares slope of log CCDF against log k over k = 10..100: about -2 (the exact
  // law's local slope -(2k+1)/(k+1) runs from -1.91 to -1.99 there).
  double sx = 0, sy = 0, sxx = 0, sxy = 0, cnt = 0;
  for (std::size_t k = 10; k <= 100; ++k) {
    const double x = std::log(static_cast<double>(k)), y = std::log(ccdf(h, k, n));
    sx += x, sy += y, sxx += x * x, sxy += x * y, ++cnt;
  }
  const double slope = (cnt * sxy - sx * sy) / (cnt * sxx - sx * sx);
  EXPECT_NEAR(slope, -2.0, 0.15);
}

TEST(Network, BarabasiAlbertBadParameters) {
  EXPECT_NE(error_of([] { ms::barabasi_albert(10, 10, 1, 1); }).find("m = 10 edges per new node must be in [1, n-1 = 9]"),
            std::string::npos);
  EXPECT_THROW(ms::barabasi_albert(10, 0, 1, 1), ms::Error);
  auto seed_graph = ms::barabasi_albert(4, 3, 1, 1);  // only the initial complete graph
  EXPECT_EQ(seed_graph.edge_count(), 6u);
}

TEST(Network, SameSeedSameNetworkAtAnyThreadCount) {
  const ms::NodeId n = 50000;
  auto build = [&](int which, std::uint64_t seed) {
    switch (which) {
      case 0: return ms::erdos_renyi(n, 8, seed, 3);
      case 1: return ms::watts_strogatz(n, 8, 0.2, seed, 3);
      default: return ms::barabasi_albert(n, 4, seed, 3);
    }
  };
  for (int which = 0; which < 3; ++which) {
    SCOPED_TRACE(which);
    ms::Network one, two;
    tbb::task_arena(1).execute([&] { one = build(which, 11); });
    tbb::task_arena(2).execute([&] { two = build(which, 11); });
    EXPECT_TRUE(one == two);
    EXPECT_FALSE(one == build(which, 12));
    EXPECT_DOUBLE_EQ(ms::average_clustering(one), ms::average_clustering(two));
  }
  // The tag separates purposes: another tag, another graph.
  EXPECT_FALSE(ms::erdos_renyi(n, 8, 11, 3) == ms::erdos_renyi(n, 8, 11, 4));
}

TEST(Network, ChosenByNameFromScenarioParameters) {
  auto schema = std::make_shared<ms::Schema>();
  schema->integer("buyers", 1000, {1, 1e9}, "agents", "population");
  ms::add_network_params(*schema, "buyers", {ms::NetworkKind::small_world, 6, 0.1});
  auto resolve = [&](std::vector<ms::Assignment> set) { return ms::resolve(schema, set, "test"); };
  auto a = [](std::string k, ms::Value v) { return ms::Assignment{std::move(k), std::move(v), "test", false}; };

  auto p = resolve({});
  auto spec = ms::network_spec(p);
  EXPECT_EQ(spec.kind, ms::NetworkKind::small_world);
  auto sw = ms::build_network(p, 1000, 1, 1);
  EXPECT_EQ(sw.edge_count(), 3000u);
  EXPECT_TRUE(ms::build_network(resolve({a("network", std::string("complete"))}), 1000, 1, 1).is_complete());
  auto sf = ms::build_network(resolve({a("network", std::string("scale_free")), a("mean_degree", 4.0)}), 1000, 1, 1);
  EXPECT_EQ(sf.edge_count(), 3u + 997u * 2);
  auto er = ms::build_network(resolve({a("network", std::string("random")), a("mean_degree", 3.5)}), 1000, 1, 1);
  EXPECT_NEAR(er.mean_degree(), 3.5, 0.5);

  auto error = [&](std::vector<ms::Assignment> set) {
    try {
      resolve(set);
    } catch (const ms::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error({a("network", std::string("random")), a("mean_degree", 1000.0)}).find("mean_degree <= buyers - 1"),
            std::string::npos);
  EXPECT_NE(error({a("mean_degree", 5.0)}).find("even integer"), std::string::npos);
  EXPECT_NE(error({a("network", std::string("scale_free")), a("mean_degree", 0.0)}).find("mean_degree >= 2"),
            std::string::npos);
  EXPECT_NE(error({a("network", std::string("scale-free"))}).find("did you mean 'scale_free'"), std::string::npos);
  EXPECT_NE(error({a("rewire", 2.0)}).find("out of range"), std::string::npos);
  // Complete ignores mean_degree, whatever its value.
  EXPECT_NO_THROW(resolve({a("network", std::string("complete")), a("mean_degree", 5000.0)}));
  EXPECT_THROW(ms::network_kind("lattice"), ms::Error);
  EXPECT_EQ(ms::network_kind_name(ms::NetworkKind::scale_free), "scale_free");
}
