#pragma once
// The durability of a sweep: completed runs are appended to a journal beside the output
// (length-prefixed, CRC-32-checked records, fsync'd per batch). HDF5 1.10 is not
// crash-safe, so the HDF5 file is written under a temporary name and only renamed into
// place when complete; `--resume` rebuilds everything from the journal, dropping a torn
// or corrupt tail.
//
// File: header  = "MSJRNL01" | u64 plan fingerprint | u64 task count | u32 crc32(previous)
//       records = u32 payload length | u32 crc32(payload) | payload
//       payload = u64 task | u32 n, n x f64 scalars | u32 m, m x (u32 len, len x f64) series
//                 | u32 k, k x (u32 len, len x f64) vectors
// in the writing machine's byte order (little-endian on x86-64 and arm64): a journal is
// for resuming on the machine, or kind of machine, that wrote it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "sim/scenario.hpp"

namespace marketsim {

class Journal {
 public:
  Journal() = default;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  Journal(Journal&& o) noexcept;
  Journal& operator=(Journal&& o) noexcept;
  ~Journal();

  // A new, empty journal (replacing any file at `path`).
  static Journal create(const std::string& path, std::uint64_t fingerprint, std::uint64_t tasks);

  // Opens an existing journal, checks it belongs to this plan, hands every intact record
  // to `on_record`, and truncates a torn tail so appends continue from the last good one.
  static Journal resume(const std::string& path, std::uint64_t fingerprint, std::uint64_t tasks,
                        const std::function<void(std::size_t task, RunResult&&)>& on_record);

  void append(std::size_t task, const RunResult& result);  // buffered
  void sync();                                             // write the buffer and fsync
  // Syncs when the batch is large or old enough.
  void maybe_sync();
  void close();

  std::size_t records() const { return records_; }

 private:
  int fd_ = -1;
  std::string path_;
  std::string buffer_;
  std::size_t records_ = 0;
  std::size_t unsynced_ = 0;
  std::chrono::steady_clock::time_point last_sync_{};
};

std::uint32_t crc32(const void* data, std::size_t size);

// The payload format above, shared by the journal and by results sent between MPI ranks.
void encode_result(std::string& out, std::size_t task, const RunResult& result);
// False when the bytes are not exactly one well-formed payload.
bool decode_result(const char* data, std::size_t size, std::size_t& task, RunResult& result);

}  // namespace marketsim
