#pragma once
// Social networks: who observes whom.
//
// A Network is an undirected simple graph (no self-loops, no duplicate edges) on nodes
// 0..n-1 in compact adjacency (CSR) form: offsets[i]..offsets[i+1] index node i's
// neighbours in one flat array, each list sorted ascending, every edge stored in both
// directions. About 4 bytes per edge end plus 8 per node, so 10^6+ nodes fit easily.
//
// The complete graph is implicit: Network::complete(n) stores no edges (n^2 would not
// fit for large n); is_complete() is true, degree(i) = n-1, has_edge(i, j) = (i != j),
// for_each_neighbour visits every other node, and neighbours(i) (a stored list) throws.
// Callers that can use the population total instead of a neighbour loop (e.g. Granovetter
// thresholds) test is_complete() and do so.
//
// Generators (all draws from marketsim::Stream(seed, tag, ., .) with the caller's fixed
// tag: bit-identical for a seed, at any thread count):
//   erdos_renyi     G(n, p), p = mean_degree / (n-1). Each pair is an edge independently
//                   with probability p. Row v (candidates w < v) skips to the next edge by
//                   geometric gaps from Stream(seed, tag, v, 0) (Batagelj & Brandes 2005),
//                   so the cost is O(n + m), not O(n^2); rows are generated in parallel.
//   watts_strogatz  ring lattice, each node joined to its k/2 nearest nodes on each side
//                   (k even), then each lattice edge (u, u+j mod n), for j = 1..k/2 and
//                   for each j u = 0..n-1, is rewired with probability beta to (u, w), w
//                   uniform among nodes that are not u and not already joined to u (Watts
//                   & Strogatz 1998; NetworkX's order); u joined to everyone keeps its
//                   edge. Edge (u, j) draws from Stream(seed, tag, u, j). The edge count
//                   n k / 2 is preserved.
//   barabasi_albert preferential attachment (Barabasi & Albert 1999): start from the
//                   complete graph on m+1 nodes; each new node s = m+1..n-1 joins m
//                   distinct existing nodes, each drawn uniformly from the list of edge
//                   ends so far (a node appears once per unit of degree: the
//                   repeated-nodes list), from Stream(seed, tag, s, 0). O(m n). Every
//                   node has degree >= m; edges m(m+1)/2 + (n-m-1) m; for large n
//                   P(degree >= k) ~= m(m+1) / (k(k+1)) ~ k^-2 (as for Bollobas et al. 2001).
//
// Scenarios declare and build their network the same way: add_network_params() adds
// `network = complete|random|small_world|scale_free`, `mean_degree` and `rewire` (with
// their cross-checks) to a schema, and build_network(params, ...) builds the one chosen.
//
// References: P. Erdos and A. Renyi (1959); V. Batagelj and U. Brandes, "Efficient
// generation of large random networks", Phys. Rev. E 71, 036113 (2005); D. J. Watts and
// S. H. Strogatz, Nature 393, 440 (1998); A. Barrat and M. Weigt, Eur. Phys. J. B 13,
// 547 (2000); A.-L. Barabasi and R. Albert, Science 286, 509 (1999); B. Bollobas,
// O. Riordan, J. Spencer and G. Tusnady, Random Struct. Alg. 18, 279 (2001).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/error.hpp"
#include "sim/params.hpp"

namespace marketsim {

using NodeId = std::uint32_t;

struct Edge {
  NodeId a = 0, b = 0;
};

class Network {
 public:
  Network() = default;  // no nodes

  // The complete graph on n nodes, implicit (no edges stored).
  static Network complete(NodeId n);

  // Builds the CSR from an undirected edge list (each edge once, either orientation).
  // Error on a node >= n, a self-loop or a duplicate edge.
  static Network from_edges(NodeId n, std::span<const Edge> edges);

  NodeId size() const { return n_; }
  std::uint64_t edge_count() const;
  bool is_complete() const { return complete_; }
  double mean_degree() const;  // 2 m / n (0 without nodes)

  std::uint32_t degree(NodeId i) const;
  // Node i's neighbours, sorted ascending. Error for the implicit complete graph.
  std::span<const NodeId> neighbours(NodeId i) const;
  bool has_edge(NodeId i, NodeId j) const;  // binary search; i != j for complete

  // Calls f(j) for every neighbour j of i in ascending order (works for complete too).
  template <class F>
  void for_each_neighbour(NodeId i, F&& f) const {
    check_node(i);
    if (complete_) {
      for (NodeId j = 0; j < n_; ++j)
        if (j != i) f(j);
      return;
    }
    for (std::uint64_t k = offsets_[i]; k < offsets_[i + 1]; ++k) f(adjacency_[k]);
  }

  // The raw CSR (empty for complete): neighbours of i are adjacency()[offsets()[i] ..
  // offsets()[i+1]). For hot loops that do their own bounds handling.
  std::span<const std::uint64_t> offsets() const { return offsets_; }
  std::span<const NodeId> adjacency() const { return adjacency_; }

  bool operator==(const Network&) const = default;

 private:
  void check_node(NodeId i) const {
    if (i >= n_) throw_bad_node(i);
  }
  [[noreturn]] void throw_bad_node(NodeId i) const;

  NodeId n_ = 0;
  bool complete_ = false;
  std::vector<std::uint64_t> offsets_;  // n+1 entries unless complete
  std::vector<NodeId> adjacency_;       // 2 m entries
};

// ---- generators (Error on bad parameters, naming what is allowed) ----------------------

// G(n, p) with p = mean_degree / (n-1); mean_degree in [0, n-1] (n-1 gives the complete
// graph, stored explicitly).
Network erdos_renyi(NodeId n, double mean_degree, std::uint64_t seed, std::uint32_t tag);

// Small world: k even, 0 <= k <= n-1; beta in [0, 1].
Network watts_strogatz(NodeId n, std::uint32_t k, double beta, std::uint64_t seed, std::uint32_t tag);

// Scale free: 1 <= m < n.
Network barabasi_albert(NodeId n, std::uint32_t m, std::uint64_t seed, std::uint32_t tag);

// ---- statistics (deterministic: integer counts, float sums in node order) ---------------

// histogram[d] = number of nodes of degree d, d = 0..max degree.
std::vector<std::uint64_t> degree_histogram(const Network& net);

// Watts-Strogatz clustering: the mean over nodes of C_i = (edges among i's neighbours) /
// (d_i (d_i - 1) / 2), with C_i = 0 when d_i < 2.
double average_clustering(const Network& net);

// Global clustering (transitivity): 3 x triangles / connected triples (0 if no triple).
double transitivity(const Network& net);

// ---- choosing a network by name from a scenario's parameters ----------------------------

enum class NetworkKind { complete, random, small_world, scale_free };
NetworkKind network_kind(std::string_view name);  // Error naming the valid names
std::string_view network_kind_name(NetworkKind kind);

struct NetworkSpec {
  NetworkKind kind = NetworkKind::complete;
  double mean_degree = 10;  // random: mean degree; small_world: k; scale_free: 2 m
  double rewire = 0.1;      // small_world only
};

// Adds `network` (choice), `mean_degree` and `rewire` with the defaults of `defaults`, and
// the checks that make every choice buildable for `nodes_key` nodes (the scenario's
// population parameter, e.g. "agents"): mean_degree <= nodes - 1 unless complete; an even
// integer for small_world (k = mean_degree) and scale_free (m = mean_degree / 2, >= 1).
void add_network_params(Schema& schema, const std::string& nodes_key, const NetworkSpec& defaults = {});

// Reads the parameters added by add_network_params.
NetworkSpec network_spec(const Params& params);

// Builds the network a spec names on n nodes (complete: implicit).
Network build_network(const NetworkSpec& spec, NodeId n, std::uint64_t seed, std::uint32_t tag);

inline Network build_network(const Params& params, NodeId n, std::uint64_t seed, std::uint32_t tag) {
  return build_network(network_spec(params), n, seed, tag);
}

}  // namespace marketsim
