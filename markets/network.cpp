// Social networks: CSR graphs, generators, statistics, selection by name (network.hpp).
#include "markets/network.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <bit>
#include <atomic>
#include <limits>
#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/geometric_distribution.hpp>
#include <cmath>
#include <fmt/format.h>

#include "sim/random.hpp"

namespace marketsim {
namespace {

constexpr NodeId kMaxNodes = 0xFFFFFFFEu;  // node ids and counts fit in 32 bits
constexpr std::size_t kRowsPerBlock = 4096;  // fixed blocks: the partition never matters

std::uint64_t pair_key(NodeId a, NodeId b) {
  if (a > b) std::swap(a, b);
  return (static_cast<std::uint64_t>(a) << 32) | b;
}

// A set of node pairs (pair_key; never 0, which would be the self-loop (0, 0)): open
// addressing with linear probing, at most half full. No allocation per element, unlike
// std::unordered_set, which it replaced for the rewired edges of a large small world.
class PairSet {
 public:
  explicit PairSet(std::size_t expected) { rehash(std::bit_ceil(2 * expected + 16)); }
  bool contains(std::uint64_t key) const {
    for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
      if (slots_[i] == key) return true;
      if (slots_[i] == 0) return false;
    }
  }
  void insert(std::uint64_t key) {
    if (2 * (size_ + 1) > slots_.size()) rehash(2 * slots_.size());
    std::size_t i = slot(key);
    while (slots_[i] != 0 && slots_[i] != key) i = (i + 1) & mask_;
    size_ += slots_[i] == 0;
    slots_[i] = key;
  }

 private:
  std::size_t slot(std::uint64_t key) const { return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_); }
  void rehash(std::size_t capacity) {
    std::vector<std::uint64_t> old(capacity, 0);
    old.swap(slots_);
    mask_ = capacity - 1;
    shift_ = 64 - std::countr_zero(capacity);
    size_ = 0;
    for (std::uint64_t key : old)
      if (key != 0) insert(key);
  }
  std::vector<std::uint64_t> slots_;
  std::size_t mask_ = 0, size_ = 0;
  int shift_ = 64;
};

}  // namespace

// ---- Network -------------------------------------------------------------------------

Network Network::complete(NodeId n) {
  if (n > kMaxNodes) throw Error(fmt::format("complete network: n = {} nodes exceeds {}", n, kMaxNodes));
  Network net;
  net.n_ = n;
  net.complete_ = true;
  return net;
}

Network Network::from_edges(NodeId n, std::span<const Edge> edges) {
  if (n > kMaxNodes) throw Error(fmt::format("network: n = {} nodes exceeds {}", n, kMaxNodes));
  // Errors name the first offending edge or node, whatever the threads.
  constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  auto lower_to = [](std::atomic<std::size_t>& first, std::size_t k) {
    std::size_t seen = first.load(std::memory_order_relaxed);
    while (k < seen && !first.compare_exchange_weak(seen, k, std::memory_order_relaxed)) {
    }
  };
  std::atomic<std::size_t> first_bad{kNone};
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, edges.size(), 1 << 16), [&](const auto& r) {
    for (std::size_t k = r.begin(); k != r.end(); ++k)
      if (edges[k].a >= n || edges[k].b >= n || edges[k].a == edges[k].b) lower_to(first_bad, k);
  });
  if (const std::size_t k = first_bad.load(); k != kNone) {
    const Edge& e = edges[k];
    if (e.a == e.b) throw Error(fmt::format("network: self-loop ({}, {}) is not allowed", e.a, e.b));
    throw Error(fmt::format("network: edge ({}, {}) names a node outside 0..{}", e.a, e.b, n == 0 ? 0 : n - 1));
  }
  // Degrees and the scatter into lists: each node range (one per thread) scans all edges
  // and writes only its own nodes' counts and lists, so no two tasks touch the same
  // memory; every list is then sorted, so the result does not depend on the ranges.
  Network net;
  net.n_ = n;
  net.offsets_.assign(std::size_t{n} + 1, 0);
  const auto threads = static_cast<std::size_t>(std::max(1, tbb::this_task_arena::max_concurrency()));
  const std::size_t ranges = std::clamp<std::size_t>(n >> 12, 1, threads);
  auto for_each_end_in_range = [&](auto&& visit) {
    tbb::parallel_for(std::size_t{0}, ranges, [&](std::size_t r) {
      const std::size_t lo = n * r / ranges, width = n * (r + 1) / ranges - lo;
      for (const Edge& e : edges) {
        if (e.a - lo < width) visit(e.a, e.b);
        if (e.b - lo < width) visit(e.b, e.a);
      }
    });
  };
  for_each_end_in_range([&](NodeId i, NodeId) { ++net.offsets_[i + 1]; });
  for (std::size_t i = 0; i < n; ++i) net.offsets_[i + 1] += net.offsets_[i];
  net.adjacency_.resize(net.offsets_[n]);
  std::vector<std::uint64_t> cursor(net.offsets_.begin(), net.offsets_.end() - 1);
  for_each_end_in_range([&](NodeId i, NodeId j) { net.adjacency_[cursor[i]++] = j; });
  std::atomic<std::size_t> first_duplicate{kNone};
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, kRowsPerBlock), [&](const auto& r) {
    for (std::size_t i = r.begin(); i != r.end(); ++i) {
      const auto begin = net.adjacency_.begin() + static_cast<std::ptrdiff_t>(net.offsets_[i]);
      const auto end = net.adjacency_.begin() + static_cast<std::ptrdiff_t>(net.offsets_[i + 1]);
      if (!std::is_sorted(begin, end)) std::sort(begin, end);
      if (std::adjacent_find(begin, end) != end) lower_to(first_duplicate, i);
    }
  });
  if (const std::size_t i = first_duplicate.load(); i != kNone) {
    const auto list = net.neighbours(static_cast<NodeId>(i));
    const NodeId j = *std::adjacent_find(list.begin(), list.end());
    throw Error(fmt::format("network: duplicate edge ({}, {})", std::min<std::size_t>(i, j), std::max<std::size_t>(i, j)));
  }
  return net;
}

std::uint64_t Network::edge_count() const {
  if (complete_) return static_cast<std::uint64_t>(n_) * (n_ == 0 ? 0 : n_ - 1) / 2;
  return adjacency_.size() / 2;
}

double Network::mean_degree() const {
  return n_ == 0 ? 0.0 : 2.0 * static_cast<double>(edge_count()) / n_;
}

std::uint32_t Network::degree(NodeId i) const {
  check_node(i);
  if (complete_) return n_ - 1;
  return static_cast<std::uint32_t>(offsets_[i + 1] - offsets_[i]);
}

std::span<const NodeId> Network::neighbours(NodeId i) const {
  check_node(i);
  if (complete_)
    throw Error("network: the complete graph is implicit and stores no neighbour lists; "
                "use is_complete(), degree() or for_each_neighbour()");
  return std::span<const NodeId>(adjacency_).subspan(offsets_[i], offsets_[i + 1] - offsets_[i]);
}

bool Network::has_edge(NodeId i, NodeId j) const {
  check_node(i);
  check_node(j);
  if (complete_) return i != j;
  auto list = neighbours(i);
  return std::binary_search(list.begin(), list.end(), j);
}

void Network::throw_bad_node(NodeId i) const {
  throw Error(fmt::format("network: node {} is outside 0..{} ({} nodes)", i, n_ == 0 ? 0 : n_ - 1, n_));
}

// ---- generators ---------------------------------------------------------------------

Network erdos_renyi(NodeId n, double mean_degree, std::uint64_t seed, std::uint32_t tag) {
  if (n == 0 || n > kMaxNodes) throw Error(fmt::format("erdos_renyi: n = {} nodes must be in [1, {}]", n, kMaxNodes));
  const double max_degree = n - 1.0;
  if (!(mean_degree >= 0 && mean_degree <= max_degree))
    throw Error(fmt::format("erdos_renyi: mean_degree = {} must be in [0, n-1 = {}] for n = {} nodes", mean_degree,
                            n - 1, n));
  if (mean_degree == 0) return Network::from_edges(n, {});
  const double p = mean_degree / max_degree;
  if (p >= 1.0) {  // every pair: the complete graph, stored explicitly
    std::vector<Edge> edges;
    edges.reserve(static_cast<std::size_t>(n) * (n - 1) / 2);
    for (NodeId v = 1; v < n; ++v)
      for (NodeId w = 0; w < v; ++w) edges.push_back({w, v});
    return Network::from_edges(n, edges);
  }
  if (1.0 - p == 1.0)
    throw Error(fmt::format("erdos_renyi: mean_degree = {} is too small for n = {} nodes (edge probability {} "
                            "below double precision)", mean_degree, n, p));
  // Row v holds the edges (w, v), w < v, found by geometric skips over the candidates.
  const std::size_t blocks = (n + kRowsPerBlock - 1) / kRowsPerBlock;
  std::vector<std::vector<Edge>> rows(blocks);
  tbb::parallel_for(std::size_t{0}, blocks, [&](std::size_t b) {
    const boost::random::geometric_distribution<std::uint64_t, double> gap(p);  // failures before an edge
    const std::size_t end = std::min<std::size_t>(n, (b + 1) * kRowsPerBlock);
    auto& out = rows[b];
    out.reserve(static_cast<std::size_t>(mean_degree * 0.5 * static_cast<double>(end - b * kRowsPerBlock) * 1.1) + 16);
    for (std::size_t v = b * kRowsPerBlock; v < end; ++v) {
      Stream s(seed, tag, static_cast<std::uint32_t>(v), 0);
      for (std::uint64_t w = gap(s); w < v; w += 1 + gap(s)) out.push_back({static_cast<NodeId>(w), static_cast<NodeId>(v)});
    }
  });
  std::size_t total = 0;
  for (const auto& r : rows) total += r.size();
  std::vector<Edge> edges;
  edges.reserve(total);
  for (auto& r : rows) {
    edges.insert(edges.end(), r.begin(), r.end());
    std::vector<Edge>().swap(r);
  }
  return Network::from_edges(n, edges);
}

Network watts_strogatz(NodeId n, std::uint32_t k, double beta, std::uint64_t seed, std::uint32_t tag) {
  if (n == 0 || n > kMaxNodes) throw Error(fmt::format("watts_strogatz: n = {} nodes must be in [1, {}]", n, kMaxNodes));
  if (k % 2 != 0) throw Error(fmt::format("watts_strogatz: k = {} must be even (k/2 neighbours on each side)", k));
  if (k > n - 1) throw Error(fmt::format("watts_strogatz: k = {} must be at most n-1 = {}", k, n - 1));
  if (!(beta >= 0 && beta <= 1)) throw Error(fmt::format("watts_strogatz: rewiring probability beta = {} must be in [0, 1]", beta));
  const std::uint32_t half = k / 2;
  // Lattice edge (u, j) joins u and u+j mod n; index u * half + (j-1).
  auto lattice_index = [&](NodeId u, std::uint32_t j) { return static_cast<std::size_t>(u) * half + (j - 1); };
  std::vector<std::uint8_t> removed(static_cast<std::size_t>(n) * half, 0);
  std::vector<std::uint32_t> degree(n, k);
  const auto expected = static_cast<std::size_t>(beta * static_cast<double>(n) * half * 1.1) + 16;
  std::vector<Edge> added;
  added.reserve(expected);
  PairSet added_keys(expected);
  auto has_edge = [&](NodeId a, NodeId b) {
    const std::uint32_t d = b >= a ? b - a : b + (n - a);  // ring distance from a to b, 1..n-1
    if (d >= 1 && d <= half && !removed[lattice_index(a, d)]) return true;
    if (n - d >= 1 && n - d <= half && !removed[lattice_index(b, n - d)]) return true;
    return added_keys.contains(pair_key(a, b));
  };
  const boost::random::bernoulli_distribution<double> rewire(beta);
  if (beta > 0) {
    for (std::uint32_t j = 1; j <= half; ++j) {
      for (NodeId u = 0; u < n; ++u) {
        Stream s(seed, tag, u, j);
        if (!rewire(s) || degree[u] >= n - 1) continue;  // u joined to all: nowhere to go
        NodeId w = 0;
        do w = static_cast<NodeId>(s.below(n));
        while (w == u || has_edge(u, w));
        const NodeId v = static_cast<NodeId>((static_cast<std::uint64_t>(u) + j) % n);
        removed[lattice_index(u, j)] = 1;
        --degree[v];
        ++degree[w];
        added.push_back({u, w});
        added_keys.insert(pair_key(u, w));
      }
    }
  }
  std::vector<Edge> edges;
  edges.reserve(static_cast<std::size_t>(n) * half);
  for (NodeId u = 0; u < n; ++u)
    for (std::uint32_t j = 1; j <= half; ++j)
      if (!removed[lattice_index(u, j)]) edges.push_back({u, static_cast<NodeId>((static_cast<std::uint64_t>(u) + j) % n)});
  edges.insert(edges.end(), added.begin(), added.end());
  return Network::from_edges(n, edges);
}

Network barabasi_albert(NodeId n, std::uint32_t m, std::uint64_t seed, std::uint32_t tag) {
  if (n == 0 || n > kMaxNodes) throw Error(fmt::format("barabasi_albert: n = {} nodes must be in [1, {}]", n, kMaxNodes));
  if (m < 1 || m >= n)
    throw Error(fmt::format("barabasi_albert: m = {} edges per new node must be in [1, n-1 = {}]", m, n - 1));
  const std::uint64_t total = static_cast<std::uint64_t>(m) * (m + 1) / 2 + static_cast<std::uint64_t>(n - m - 1) * m;
  std::vector<Edge> edges;
  edges.reserve(total);
  std::vector<NodeId> ends;  // every edge end so far: node i appears degree(i) times
  ends.reserve(2 * total);
  for (NodeId v = 1; v <= m; ++v)
    for (NodeId w = 0; w < v; ++w) {
      edges.push_back({w, v});
      ends.push_back(w);
      ends.push_back(v);
    }
  std::vector<NodeId> chosen_by(n, kMaxNodes + 1);  // the new node that last chose each node
  std::vector<std::uint64_t> drawn(m);
  std::vector<NodeId> candidates(m), targets(m);
  for (NodeId s = m + 1; s < n; ++s) {
    // The first m draws are made up front and their list entries prefetched, so the
    // random memory reads overlap; the stream is consumed in the same order either way.
    Stream st(seed, tag, s, 0);
    for (std::uint32_t c = 0; c < m; ++c) {
      drawn[c] = st.below(ends.size());
      __builtin_prefetch(&ends[drawn[c]]);
    }
    for (std::uint32_t c = 0; c < m; ++c) {
      candidates[c] = ends[drawn[c]];
      __builtin_prefetch(&chosen_by[candidates[c]]);
    }
    for (std::uint32_t c = 0, k = 0; c < m;) {
      const NodeId t = k < m ? candidates[k++] : ends[st.below(ends.size())];
      if (chosen_by[t] == s) continue;  // distinct targets: draw again
      chosen_by[t] = s;
      targets[c++] = t;
    }
    for (NodeId t : targets) {
      edges.push_back({t, s});
      ends.push_back(t);
      ends.push_back(s);
    }
  }
  std::vector<NodeId>().swap(ends);
  return Network::from_edges(n, edges);
}

// ---- statistics ---------------------------------------------------------------------

std::vector<std::uint64_t> degree_histogram(const Network& net) {
  if (net.size() == 0) return {};
  if (net.is_complete()) {
    std::vector<std::uint64_t> h(net.size(), 0);
    h[net.size() - 1] = net.size();
    return h;
  }
  std::vector<std::uint64_t> h;
  for (NodeId i = 0; i < net.size(); ++i) {
    const std::uint32_t d = net.degree(i);
    if (d >= h.size()) h.resize(std::size_t{d} + 1, 0);
    ++h[d];
  }
  return h;
}

namespace {

// Edges among the neighbours of i: half the sum over neighbours j of |N(i) ∩ N(j)|.
std::uint64_t triangles_at(const Network& net, NodeId i) {
  const auto ni = net.neighbours(i);
  std::uint64_t twice = 0;
  for (NodeId j : ni) {
    const auto nj = net.neighbours(j);
    auto a = ni.begin(), b = nj.begin();
    while (a != ni.end() && b != nj.end()) {
      if (*a < *b) ++a;
      else if (*b < *a) ++b;
      else ++twice, ++a, ++b;
    }
  }
  return twice / 2;
}

}  // namespace

double average_clustering(const Network& net) {
  const NodeId n = net.size();
  if (n == 0) return 0.0;
  if (net.is_complete()) return n >= 3 ? 1.0 : 0.0;
  std::vector<double> c(n, 0.0);
  tbb::parallel_for(tbb::blocked_range<NodeId>(0, n, 1024), [&](const auto& r) {
    for (NodeId i = r.begin(); i != r.end(); ++i) {
      const double d = net.degree(i);
      if (d >= 2) c[i] = static_cast<double>(triangles_at(net, i)) / (d * (d - 1) / 2);
    }
  });
  double sum = 0;  // in node order: the same at any thread count
  for (double x : c) sum += x;
  return sum / n;
}

double transitivity(const Network& net) {
  const NodeId n = net.size();
  if (net.is_complete()) return n >= 3 ? 1.0 : 0.0;
  std::vector<std::uint64_t> tri(n, 0);
  tbb::parallel_for(tbb::blocked_range<NodeId>(0, n, 1024), [&](const auto& r) {
    for (NodeId i = r.begin(); i != r.end(); ++i) tri[i] = triangles_at(net, i);
  });
  std::uint64_t corners = 0, triples = 0;  // each triangle has 3 corners
  for (NodeId i = 0; i < n; ++i) {
    const std::uint64_t d = net.degree(i);
    corners += tri[i];
    if (d >= 2) triples += d * (d - 1) / 2;
  }
  return triples == 0 ? 0.0 : static_cast<double>(corners) / static_cast<double>(triples);
}

// ---- selection by name ----------------------------------------------------------------

namespace {
const std::vector<std::string> kNetworkNames = {"complete", "random", "small_world", "scale_free"};

bool is_even_integer(double x) { return x == std::floor(x) && std::fmod(x, 2.0) == 0.0; }
}  // namespace

NetworkKind network_kind(std::string_view name) {
  for (std::size_t k = 0; k < kNetworkNames.size(); ++k)
    if (name == kNetworkNames[k]) return static_cast<NetworkKind>(k);
  throw Error(fmt::format("unknown network '{}'{}; valid networks: {}", name, did_you_mean(name, kNetworkNames),
                          join(kNetworkNames)));
}

std::string_view network_kind_name(NetworkKind kind) { return kNetworkNames.at(static_cast<std::size_t>(kind)); }

void add_network_params(Schema& schema, const std::string& nodes_key, const NetworkSpec& defaults) {
  schema.choice("network", std::string(network_kind_name(defaults.kind)), kNetworkNames,
                "who observes whom: complete (everyone, implicit), random (Erdos-Renyi), small_world "
                "(Watts-Strogatz), scale_free (Barabasi-Albert)");
  schema.real("mean_degree", defaults.mean_degree, {0, 1e9}, "neighbours",
              "mean number of neighbours: random: mean degree; small_world: lattice degree k (even); "
              "scale_free: 2 m (even); unused by complete");
  schema.real("rewire", defaults.rewire, {0, 1}, "1", "small_world: probability that a lattice edge is rewired");
  schema.check({"network", "mean_degree", nodes_key}, fmt::format("mean_degree <= {} - 1 unless network = complete", nodes_key),
               [nodes_key](const Params& p) {
                 return p.choice("network") == "complete" || p.real("mean_degree") <= p.real(nodes_key) - 1;
               });
  schema.check({"network", "mean_degree"},
               "mean_degree is an even integer when network = small_world (k = mean_degree) or scale_free "
               "(m = mean_degree / 2)",
               [](const Params& p) {
                 const auto& net = p.choice("network");
                 return (net != "small_world" && net != "scale_free") || is_even_integer(p.real("mean_degree"));
               });
  schema.check({"network", "mean_degree"}, "mean_degree >= 2 when network = scale_free (m >= 1)", [](const Params& p) {
    return p.choice("network") != "scale_free" || p.real("mean_degree") >= 2;
  });
}

NetworkSpec network_spec(const Params& params) {
  return {network_kind(params.choice("network")), params.real("mean_degree"), params.real("rewire")};
}

Network build_network(const NetworkSpec& spec, NodeId n, std::uint64_t seed, std::uint32_t tag) {
  auto integer_degree = [&](const char* what) {
    if (!is_even_integer(spec.mean_degree) || spec.mean_degree > 4294967294.0)
      throw Error(fmt::format("network {}: mean_degree = {} must be an even integer ({})", network_kind_name(spec.kind),
                              spec.mean_degree, what));
    return static_cast<std::uint32_t>(spec.mean_degree);
  };
  switch (spec.kind) {
    case NetworkKind::complete: return Network::complete(n);
    case NetworkKind::random: return erdos_renyi(n, spec.mean_degree, seed, tag);
    case NetworkKind::small_world: return watts_strogatz(n, integer_degree("k = mean_degree"), spec.rewire, seed, tag);
    case NetworkKind::scale_free: return barabasi_albert(n, integer_degree("m = mean_degree / 2") / 2, seed, tag);
  }
  throw Error("build_network: unknown network kind");
}

}  // namespace marketsim
