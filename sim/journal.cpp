#include "sim/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "sim/error.hpp"

namespace marketsim {

namespace {

constexpr char kMagic[8] = {'M', 'S', 'J', 'R', 'N', 'L', '0', '1'};
constexpr std::size_t kHeaderSize = 8 + 8 + 8 + 4;
constexpr std::size_t kSyncRecords = 512;
constexpr auto kSyncInterval = std::chrono::milliseconds(250);

template <class T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
void put_doubles(std::string& out, const std::vector<double>& v) {
  put(out, static_cast<std::uint32_t>(v.size()));
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
}

struct Reader {
  const char* p;
  const char* end;
  template <class T>
  bool get(T& v) {
    if (static_cast<std::size_t>(end - p) < sizeof v) return false;
    std::memcpy(&v, p, sizeof v);
    p += sizeof v;
    return true;
  }
  bool get_doubles(std::vector<double>& v) {
    std::uint32_t n;
    if (!get(n) || static_cast<std::size_t>(end - p) < n * sizeof(double)) return false;
    v.resize(n);
    std::memcpy(v.data(), p, n * sizeof(double));
    p += n * sizeof(double);
    return true;
  }
};

}  // namespace

void encode_result(std::string& out, std::size_t task, const RunResult& result) {
  put(out, static_cast<std::uint64_t>(task));
  put_doubles(out, result.scalars);
  put(out, static_cast<std::uint32_t>(result.series.size()));
  for (const auto& s : result.series) put_doubles(out, s);
  put(out, static_cast<std::uint32_t>(result.vectors.size()));
  for (const auto& v : result.vectors) put_doubles(out, v);
}

bool decode_result(const char* data, std::size_t size, std::size_t& task, RunResult& result) {
  Reader r{data, data + size};
  std::uint64_t t;
  std::uint32_t count;
  result = RunResult{};
  bool ok = r.get(t) && r.get_doubles(result.scalars) && r.get(count);
  for (std::uint32_t i = 0; ok && i < count; ++i) ok = r.get_doubles(result.series.emplace_back());
  ok = ok && r.get(count);
  for (std::uint32_t i = 0; ok && i < count; ++i) ok = r.get_doubles(result.vectors.emplace_back());
  task = static_cast<std::size_t>(t);
  return ok && r.p == r.end;
}

namespace {

void write_all(int fd, const char* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(fmt::format("cannot write journal '{}': {}", path, std::strerror(errno)));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

std::string header(std::uint64_t fingerprint, std::uint64_t tasks) {
  std::string h(kMagic, 8);
  put(h, fingerprint);
  put(h, tasks);
  put(h, crc32(h.data(), h.size()));
  return h;
}

}  // namespace

std::uint32_t crc32(const void* data, std::size_t size) {
  return static_cast<std::uint32_t>(::crc32(0L, static_cast<const Bytef*>(data), static_cast<uInt>(size)));
}

Journal::Journal(Journal&& o) noexcept { *this = std::move(o); }
Journal& Journal::operator=(Journal&& o) noexcept {
  std::swap(fd_, o.fd_);
  std::swap(path_, o.path_);
  std::swap(buffer_, o.buffer_);
  std::swap(records_, o.records_);
  std::swap(unsynced_, o.unsynced_);
  std::swap(last_sync_, o.last_sync_);
  return *this;
}
Journal::~Journal() {
  try {
    close();
  } catch (...) {
  }
}

Journal Journal::create(const std::string& path, std::uint64_t fingerprint, std::uint64_t tasks) {
  Journal j;
  j.path_ = path;
  j.fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (j.fd_ < 0) throw Error(fmt::format("cannot create journal '{}': {}", path, std::strerror(errno)));
  std::string h = header(fingerprint, tasks);
  write_all(j.fd_, h.data(), h.size(), path);
  ::fsync(j.fd_);
  j.last_sync_ = std::chrono::steady_clock::now();
  return j;
}

Journal Journal::resume(const std::string& path, std::uint64_t fingerprint, std::uint64_t tasks,
                        const std::function<void(std::size_t, RunResult&&)>& on_record) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) throw Error(fmt::format("cannot open journal '{}': {}", path, std::strerror(errno)));
  struct stat st {};
  ::fstat(fd, &st);
  std::string data(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::pread(fd, data.data() + got, data.size() - got, static_cast<off_t>(got));
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  data.resize(got);
  if (data.size() < kHeaderSize || std::memcmp(data.data(), kMagic, 8) != 0 ||
      data.compare(0, kHeaderSize, header(fingerprint, tasks)) != 0) {
    ::close(fd);
    if (data.size() >= kHeaderSize && std::memcmp(data.data(), kMagic, 8) == 0)
      throw Error(fmt::format("journal '{}' belongs to a different sweep (its spec or seeds differ, or it was "
                              "written by another build of marketsim); delete it, or write to another --out, "
                              "to start afresh",
                              path));
    throw Error(fmt::format("'{}' is not a marketsim journal (or its header is damaged)", path));
  }
  Journal j;
  j.path_ = path;
  j.fd_ = fd;
  std::size_t pos = kHeaderSize;
  while (data.size() - pos >= 8) {
    std::uint32_t len, crc;
    std::memcpy(&len, data.data() + pos, 4);
    std::memcpy(&crc, data.data() + pos + 4, 4);
    if (data.size() - pos - 8 < len || crc32(data.data() + pos + 8, len) != crc) break;  // torn tail
    std::size_t task;
    RunResult res;
    if (!decode_result(data.data() + pos + 8, len, task, res) || task >= tasks) break;
    on_record(static_cast<std::size_t>(task), std::move(res));
    ++j.records_;
    pos += 8 + len;
  }
  if (pos != data.size() && ::ftruncate(fd, static_cast<off_t>(pos)) != 0)
    throw Error(fmt::format("cannot truncate the damaged tail of journal '{}': {}", path, std::strerror(errno)));
  ::lseek(fd, static_cast<off_t>(pos), SEEK_SET);
  j.last_sync_ = std::chrono::steady_clock::now();
  return j;
}

void Journal::append(std::size_t task, const RunResult& result) {
  std::string payload;
  encode_result(payload, task, result);
  put(buffer_, static_cast<std::uint32_t>(payload.size()));
  put(buffer_, crc32(payload.data(), payload.size()));
  buffer_ += payload;
  ++records_;
  ++unsynced_;
}

void Journal::maybe_sync() {
  if (unsynced_ >= kSyncRecords || (unsynced_ > 0 && std::chrono::steady_clock::now() - last_sync_ >= kSyncInterval))
    sync();
}

void Journal::sync() {
  if (fd_ < 0) return;
  if (!buffer_.empty()) {
    write_all(fd_, buffer_.data(), buffer_.size(), path_);
    buffer_.clear();
  }
  if (::fdatasync(fd_) != 0) throw Error(fmt::format("cannot sync journal '{}': {}", path_, std::strerror(errno)));
  unsynced_ = 0;
  last_sync_ = std::chrono::steady_clock::now();
}

void Journal::close() {
  if (fd_ < 0) return;
  sync();
  ::close(fd_);
  fd_ = -1;
}

}  // namespace marketsim
