#include "comm/mpi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>
#include <string>
#include <thread>

#include "core/error.hpp"

namespace decent::comm {
namespace {

constexpr int kHeaderTag = 7101;
constexpr int kDataTag = 7102;
constexpr int kDiagnosisTag = 7103;

void check_mpi(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw CommunicationError(
      fmt::format("{} failed: {}", call, std::string(text, static_cast<std::size_t>(length))));
}

MPI_Datatype mpi_type(DataType type) {
  return type == DataType::f32 ? MPI_FLOAT : MPI_DOUBLE;
}

std::string rank_list(const std::vector<int>& ranks) {
  std::string s;
  for (std::size_t i = 0; i < ranks.size(); ++i) s += (i ? ", " : "") + std::to_string(ranks[i]);
  return s;
}

double seconds(std::chrono::milliseconds t) {
  return static_cast<double>(t.count()) / 1000.0;
}

double seconds(std::chrono::steady_clock::duration t) {
  return std::chrono::duration<double>(t).count();
}

}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    // MULTIPLE lets the communicator's progress thread move an exchange's data while the
    // caller computes; with less, exchanges only progress inside decent's calls.
    check_mpi(MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided), "MPI_Init_thread");
    owns_ = true;
  }
}

MpiSession::~MpiSession() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (owns_ && !finalized) MPI_Finalize();
}

MpiCommunicator::MpiCommunicator(MPI_Comm comm) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) throw CommunicationError("MPI is not initialised (create an MpiSession first)");
  check_mpi(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
  // Errors come back as codes that we turn into exceptions, instead of aborting the job.
  check_mpi(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  // Ranks on other hosts: chunks small enough to go eagerly (OpenMPI's TCP transport sends
  // messages up to 64 KiB without a rendezvous round trip, which with a few slots in flight
  // left the link idle: 1.6x the wire's bound at 64 Ki floats, 1.07-1.11x at 4-8 Ki, see
  // BENCHMARKS.md). On one host, shared memory favours large chunks (2x faster at 64 Ki).
  MPI_Comm local = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local),
            "MPI_Comm_split_type");
  int local_size = size_;
  MPI_Comm_size(local, &local_size);
  MPI_Comm_free(&local);
  spans_hosts_ = local_size < size_;
  chunk_ = spans_hosts_ ? kChunkAcrossHosts : kChunkOnOneHost;
  whole_receives_ = spans_hosts_;
  int level = MPI_THREAD_SINGLE;
  MPI_Query_thread(&level);
  const char* progress = std::getenv("DECENT_MPI_PROGRESS");
  const bool wanted = progress ? std::string(progress) == "1" : spans_hosts_;
  if (wanted && level == MPI_THREAD_MULTIPLE) {
    whole_receives_ = true;
    // 200 us: a 32 KiB chunk takes 262 us at 1 Gbit/s, and the sockets buffer far more.
    poller_ = std::make_unique<BackgroundPoller>(std::chrono::microseconds(200));
  }
}

MpiCommunicator::~MpiCommunicator() {
  poller_.reset();  // no MPI call from its thread after this
  if (std::getenv("DECENT_COMM_PHASES") && exchanges_ > 0)
    std::fprintf(stderr,
                 "decent: rank %d: %llu exchanges: starting %.3f s, finishing %.3f s (waiting and "
                 "mixing), %zu of %zu requests completed in the background\n",
                 rank_, static_cast<unsigned long long>(exchanges_), start_seconds_,
                 finish_seconds_, background_total_, requests_total_);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (broken_) {
    // Requests of the failed operation may still complete (a late peer): keep their buffers
    // alive for the rest of the process. Moving a vector keeps its storage where it is.
    struct Kept {
      std::vector<std::uint64_t> a, b;
      std::vector<unsigned char> c, f, g;
      std::vector<std::vector<unsigned char>> d;
      std::vector<ExchangeHeader> e;
    };
    static_cast<void>(new Kept{std::move(sizes_mine_), std::move(sizes_all_), std::move(staging_),
                               std::move(gathered_), std::move(slice_), std::move(slots_),
                               std::move(received_headers_)});
    return;  // MPI_Comm_free would wait for those requests
  }
  if (!finalized && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

void MpiCommunicator::cancel_outstanding() {
  if (poller_) poller_->stop();
  for (auto& r : requests_)
    if (r != MPI_REQUEST_NULL) {
      MPI_Cancel(&r);
      MPI_Request_free(&r);
    }
}

void MpiCommunicator::set_chunk(std::size_t values) {
  if (pending_) throw InvalidArgument("set_chunk: an exchange is pending");
  if (values < 1 || values > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw InvalidArgument(fmt::format("set_chunk: {} values; expected 1 to {}", values,
                                      std::numeric_limits<int>::max()));
  chunk_ = values;
}

void MpiCommunicator::ensure_usable() const {
  if (broken_)
    throw CommunicationError(
        "this MPI communicator failed earlier and cannot be used again; end the run");
}

void MpiCommunicator::wait_collective(MPI_Request& request, const char* what) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  int done = 0;
  while (true) {
    check_mpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), what);
    if (done) return;
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::yield();
  }
  // Every rank that arrived times out at about the same moment: each tells the others it is
  // here, and listens for a short while. Whoever stays silent did not arrive.
  broken_ = true;
  // Static: the sends may still be in flight after this function throws. Only the arrival is
  // news; the value is not read.
  static const std::uint64_t here = 1;
  std::vector<MPI_Request> notes;
  for (int r = 0; r < size_; ++r)
    if (r != rank_) {
      notes.emplace_back();
      MPI_Isend(&here, 1, MPI_UINT64_T, r, kDiagnosisTag, comm_, &notes.back());
    }
  std::set<int> heard = {rank_};
  const auto listen_until = std::chrono::steady_clock::now() +
                            std::min<std::chrono::milliseconds>(timeout_, std::chrono::seconds(2));
  while (std::chrono::steady_clock::now() < listen_until &&
         static_cast<int>(heard.size()) < size_) {
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kDiagnosisTag, comm_, &flag, &status);
    if (flag) {
      std::uint64_t ignored = 0;
      MPI_Recv(&ignored, 1, MPI_UINT64_T, status.MPI_SOURCE, kDiagnosisTag, comm_,
               MPI_STATUS_IGNORE);
      heard.insert(status.MPI_SOURCE);
    } else {
      std::this_thread::yield();
    }
  }
  std::vector<int> missing;
  for (int r = 0; r < size_; ++r)
    if (!heard.count(r)) missing.push_back(r);
  throw TimeoutError(fmt::format(
      "{}: rank {} waited {:.3g} s; {} did not arrive", what, rank_, seconds(timeout_),
      missing.empty()
          ? std::string("every rank answered afterwards (a rank was late)")
          : fmt::format("rank{} {}", missing.size() > 1 ? "s" : "", rank_list(missing))));
}

void MpiCommunicator::check_sizes(const Buffer& data, const char* what) {
  sizes_all_.assign(2 * static_cast<std::size_t>(size_), 0);
  sizes_mine_ = {data.count, data.element_size()};
  const auto& all = sizes_all_;
  const auto& mine = sizes_mine_;
  MPI_Request request;
  check_mpi(MPI_Iallgather(sizes_mine_.data(), 2, MPI_UINT64_T, sizes_all_.data(), 2, MPI_UINT64_T,
                           comm_, &request),
            what);
  wait_collective(request, what);
  for (int r = 0; r < size_; ++r) {
    const std::size_t at = 2 * static_cast<std::size_t>(r);
    if (all[at + 1] != mine[1])
      throw CommunicationError(fmt::format(
          "{}: ranks {} and {} disagree on the value type: rank {} has {}-byte values, rank {} "
          "has {}-byte values",
          what, rank_, r, r, all[at + 1], rank_, mine[1]));
    check_same_count(what, rank_, data.count, r, all[at]);
  }
}

template <typename Run>
void MpiCommunicator::collective_in_chunks(const Buffer& data, const char* what, Run run) {
  ensure_usable();
  check_sizes(data, what);
  // The values go through staging_ (see its comment), in chunks of at most 2^26 values (MPI
  // counts are int, and the staging copy stays bounded).
  const std::size_t max_chunk = std::size_t{1} << 26, size = data.element_size();
  auto* bytes = static_cast<unsigned char*>(data.data);
  for (std::size_t begin = 0; begin < data.count; begin += max_chunk) {
    const std::size_t count = std::min(max_chunk, data.count - begin);
    if (staging_.size() < count * size) staging_.resize(count * size);
    std::copy_n(bytes + begin * size, count * size, staging_.data());
    run(count);
    std::copy_n(staging_.data(), count * size, bytes + begin * size);
  }
}

namespace {

// Sums slice `mine` of every rank's chunk in rank order, from zero, then averages: the very
// operations, in the same order, as the local backend's allreduce (LocalCommunicator::sum_slice),
// so that both give bit-identical results.
template <typename T>
void sum_in_rank_order(const unsigned char* received, std::size_t length, int ranks, bool average,
                       unsigned char* out) {
  const auto* in = reinterpret_cast<const T*>(received);
  auto* result = reinterpret_cast<T*>(out);
  std::fill(result, result + length, T{0});
  for (int r = 0; r < ranks; ++r)
    for (std::size_t c = 0; c < length; ++c)
      result[c] += in[static_cast<std::size_t>(r) * length + c];
  if (average)
    for (std::size_t c = 0; c < length; ++c) result[c] /= static_cast<T>(ranks);
}

}  // namespace

void MpiCommunicator::allreduce_buffer(Buffer data, ReduceOp op) {
  // Not MPI_Iallreduce: its summation order depends on the MPI library's algorithm, so results
  // would differ from the in-process run in the last bits. Instead rank r receives everybody's
  // slice r (all-to-all), sums it in rank order, and all slices are gathered back: 2x the data
  // per rank, like a ring all-reduce.
  const auto n = static_cast<std::size_t>(size_), me = static_cast<std::size_t>(rank_);
  const std::size_t size = data.element_size();
  collective_in_chunks(data, "allreduce", [&](std::size_t count) {
    auto bound = [&](std::size_t r) { return count * r / n; };
    const std::size_t length = bound(me + 1) - bound(me);
    std::vector<int> send_counts(n), send_displs(n), recv_counts(n), recv_displs(n);
    for (std::size_t r = 0; r < n; ++r) {
      send_counts[r] = static_cast<int>(bound(r + 1) - bound(r));
      send_displs[r] = static_cast<int>(bound(r));
      recv_counts[r] = static_cast<int>(length);
      recv_displs[r] = static_cast<int>(r * length);
    }
    if (gathered_.size() < n * length * size) gathered_.resize(n * length * size);
    if (slice_.size() < length * size) slice_.resize(length * size);
    MPI_Request request;
    check_mpi(MPI_Ialltoallv(staging_.data(), send_counts.data(), send_displs.data(),
                             mpi_type(data.type), gathered_.data(), recv_counts.data(),
                             recv_displs.data(), mpi_type(data.type), comm_, &request),
              "allreduce");
    wait_collective(request, "allreduce");
    if (data.type == DataType::f32)
      sum_in_rank_order<float>(gathered_.data(), length, size_, op == ReduceOp::average,
                               slice_.data());
    else
      sum_in_rank_order<double>(gathered_.data(), length, size_, op == ReduceOp::average,
                                slice_.data());
    check_mpi(MPI_Iallgatherv(slice_.data(), static_cast<int>(length), mpi_type(data.type),
                              staging_.data(), send_counts.data(), send_displs.data(),
                              mpi_type(data.type), comm_, &request),
              "allreduce");
    wait_collective(request, "allreduce");
  });
}

void MpiCommunicator::broadcast_buffer(Buffer data, int root) {
  collective_in_chunks(data, "broadcast", [&](std::size_t count) {
    MPI_Request request;
    check_mpi(MPI_Ibcast(staging_.data(), static_cast<int>(count), mpi_type(data.type), root, comm_,
                         &request),
              "broadcast");
    wait_collective(request, "broadcast");
  });
}

void MpiCommunicator::barrier() {
  ensure_usable();
  MPI_Request request;
  check_mpi(MPI_Ibarrier(comm_, &request), "barrier");
  wait_collective(request, "barrier");
}

void MpiCommunicator::post_slot_receive(std::size_t neighbor, std::size_t chunk) {
  const std::size_t slot = chunk % slots_per_neighbor_;
  const std::size_t begin = chunk * chunk_;
  const std::size_t position = slot_request_[neighbor * slots_per_neighbor_ + slot];
  request_info_[position].index = chunk;
  check_mpi(MPI_Irecv(slots_[neighbor].data() + slot * chunk_ * p_.x.element_size(),
                      static_cast<int>(std::min(chunk_, p_.x.count - begin)), mpi_type(p_.x.type),
                      request_info_[position].peer, kDataTag, comm_, &requests_[position]),
            "MPI_Irecv");
}

void MpiCommunicator::start_exchange(Buffer x, const topology::Topology& topology,
                                     std::int64_t step) {
  const auto started = std::chrono::steady_clock::now();
  ensure_usable();
  if (pending_) throw InvalidArgument("neighbour average: an exchange is already pending");
  check_exchange_arguments(x, topology, size_, step);
  const auto& w = topology.at(step);
  const std::size_t count = x.count, size = x.element_size();
  p_ = {x, &topology, step, make_header(x, topology, step, exchanges_)};
  const auto in = w.in_neighbors(rank_);
  const auto out = w.out_neighbors(rank_);
  const std::size_t chunks = (count + chunk_ - 1) / chunk_;
  slots_per_neighbor_ = whole_receives_ ? std::max<std::size_t>(chunks, 1) : kSlots;
  received_headers_.resize(in.size());
  if (slots_.size() < in.size()) slots_.resize(in.size());
  requests_.clear();
  request_info_.clear();
  slot_request_.clear();
  auto post = [&](int code, Request info) {
    check_mpi(code, info.send ? "MPI_Isend" : "MPI_Irecv");
    request_info_.push_back(info);
  };
  // Receives first, so that a matching send finds its buffer posted. Values land in a ring of
  // S chunk-sized slots per neighbour; finish_neighbor_average() reposts a slot for chunk c + S
  // once chunk c is mixed, so received values are read while still in cache. Across hosts S is
  // every chunk: nothing waits for the mixing, so the transfer completes during the caller's work.
  const std::size_t slots = slots_per_neighbor_;
  for (std::size_t k = 0; k < in.size(); ++k) {
    const int peer = in[k].node;
    slots_[k].resize(slots * chunk_ * size);
    requests_.emplace_back();
    post(MPI_Irecv(&received_headers_[k], kHeaderWords, MPI_UINT64_T, peer, kHeaderTag, comm_,
                   &requests_.back()),
         {peer, false, true, k});
    for (std::size_t slot = 0; slot < slots; ++slot) {
      slot_request_.push_back(requests_.size());
      requests_.push_back(MPI_REQUEST_NULL);
      request_info_.push_back({peer, false, false, 0});
      if (slot < chunks) post_slot_receive(k, slot);
    }
  }
  for (const auto& e : out) {
    requests_.emplace_back();
    post(MPI_Isend(&p_.header, kHeaderWords, MPI_UINT64_T, e.node, kHeaderTag, comm_,
                   &requests_.back()),
         {e.node, true, true, 0});
    for (std::size_t c = 0; c < chunks; ++c) {
      const std::size_t begin = c * chunk_;
      requests_.emplace_back();
      post(MPI_Isend(static_cast<const unsigned char*>(x.data) + begin * size,
                     static_cast<int>(std::min(chunk_, count - begin)), mpi_type(x.type), e.node,
                     kDataTag, comm_, &requests_.back()),
           {e.node, true, false, c});
    }
  }
  pending_ = true;
  polled_.clear();
  polled_code_ = MPI_SUCCESS;
  if (poller_) poller_->start([this] { return poll_exchange(); });
  start_seconds_ += seconds(std::chrono::steady_clock::now() - started);
}

void MpiCommunicator::fail_exchange(int code, const Request& request) {
  broken_ = true;
  // A failed receive (e.g. truncated: the sender has more values) usually comes with the
  // sender's header, which names the disagreement; give a late header a moment to arrive.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  bool headers_pending = true;
  while (headers_pending && std::chrono::steady_clock::now() < until) {
    headers_pending = false;
    for (std::size_t i = 0; i < requests_.size(); ++i) {
      if (!request_info_[i].header || request_info_[i].send) continue;
      // Header receives are never reposted: a null handle means it has arrived.
      int flag = requests_[i] == MPI_REQUEST_NULL;
      if (!flag && MPI_Test(&requests_[i], &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS) flag = 0;
      if (flag) {
        check_header(p_.header, rank_, received_headers_[request_info_[i].index],
                     request_info_[i].peer, *p_.topology);
      } else {
        headers_pending = true;
      }
    }
    std::this_thread::yield();
  }
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw CommunicationError(fmt::format("neighbour average: rank {} {} rank {} at step {}: {}",
                                       rank_, request.send ? "sending to" : "receiving from",
                                       request.peer, p_.step,
                                       std::string(text, static_cast<std::size_t>(length))));
}

bool MpiCommunicator::poll_exchange() {
  poll_indices_.resize(requests_.size());
  poll_statuses_.resize(requests_.size());
  int finished = 0;
  const int code = MPI_Testsome(static_cast<int>(requests_.size()), requests_.data(), &finished,
                                poll_indices_.data(), poll_statuses_.data());
  if (code != MPI_SUCCESS && code != MPI_ERR_IN_STATUS) {
    polled_code_ = code;
    return false;
  }
  if (finished == MPI_UNDEFINED) return false;
  for (int f = 0; f < finished; ++f) {
    const auto at = static_cast<std::size_t>(f);
    polled_.emplace_back(static_cast<std::size_t>(poll_indices_[at]),
                         code == MPI_ERR_IN_STATUS ? poll_statuses_[at].MPI_ERROR : MPI_SUCCESS);
  }
  return true;
}

void MpiCommunicator::finish_exchange() {
  if (!pending_) throw InvalidArgument("neighbour average: finish without a pending exchange");
  if (message_pending_)
    throw InvalidArgument("neighbour average: the pending exchange is a message exchange");
  const auto started = std::chrono::steady_clock::now();
  pending_ = false;
  const auto& w = p_.topology->at(p_.step);
  const auto in = w.in_neighbors(rank_);
  const std::size_t out_degree = w.out_neighbors(rank_).size();
  const double self_weight = w.self_weight(rank_);
  std::vector<double> weights;
  for (const auto& e : in) weights.push_back(e.weight);

  // Chunks are mixed in order: chunk c once every neighbour's chunk c has arrived and our own
  // sends of chunk c are done (they read x). This overlaps the arithmetic with the rest of the
  // transfer; then the slots of chunk c take chunk c + S (never, when every chunk has a slot).
  const std::size_t chunks = (p_.x.count + chunk_ - 1) / chunk_;
  std::vector<std::size_t> arrived(chunks, 0), sent(chunks, 0);
  std::size_t headers_waiting = in.size(), next = 0;
  std::vector<const void*> peers(in.size());
  auto mix_ready_chunks = [&] {
    while (headers_waiting == 0 && next < chunks && arrived[next] == in.size() &&
           sent[next] == out_degree) {
      const std::size_t begin = next * chunk_, slot = next % slots_per_neighbor_;
      for (std::size_t k = 0; k < in.size(); ++k)
        peers[k] = slots_[k].data() + slot * chunk_ * p_.x.element_size();
      mix(p_.x, begin, std::min(chunk_, p_.x.count - begin), self_weight, weights, peers);
      if (next + slots_per_neighbor_ < chunks)
        for (std::size_t k = 0; k < in.size(); ++k)
          post_slot_receive(k, next + slots_per_neighbor_);
      ++next;
    }
  };
  auto completed = [&](std::size_t i) {
    const auto& info = request_info_[i];
    if (info.header) {
      if (info.send || --headers_waiting > 0) return;
      for (std::size_t k = 0; k < in.size(); ++k)
        try {  // the headers explain a mismatch before any value is mixed
          check_header(p_.header, rank_, received_headers_[k], in[k].node, *p_.topology);
        } catch (const CommunicationError&) {
          broken_ = true;
          throw;
        }
    } else {
      ++(info.send ? sent : arrived)[info.index];
    }
    mix_ready_chunks();
  };
  mix_ready_chunks();  // a node without neighbours only applies its self weight

  // Settles the completions polled_[from..] (by the progress thread, or by the loop below):
  // the successful ones first, since a header among them explains a failure precisely.
  auto settle = [&](std::size_t from) {
    if (polled_code_ != MPI_SUCCESS) {
      broken_ = true;
      check_mpi(polled_code_, "neighbour average (MPI_Testsome)");
    }
    int failed_code = MPI_SUCCESS;
    std::size_t failed = 0;
    for (std::size_t k = from; k < polled_.size(); ++k) {
      const auto [i, code] = polled_[k];
      if (code != MPI_SUCCESS)
        failed_code = code, failed = i;
      else
        completed(i);
    }
    if (failed_code != MPI_SUCCESS) fail_exchange(failed_code, request_info_[failed]);
  };
  // What the progress thread completed while the caller computed.
  background_done_ = 0;
  if (poller_) {
    poller_->stop();
    background_done_ = polled_.size();
    settle(0);
  }

  // A request is outstanding while its handle is not MPI_REQUEST_NULL (slot receives are
  // reposted into their old positions); MPI_Testsome says MPI_UNDEFINED once none is.
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  while (std::chrono::steady_clock::now() <= deadline) {
    const std::size_t from = polled_.size();
    const bool outstanding = poll_exchange();
    settle(from);
    if (!outstanding) break;
    if (polled_.size() == from) std::this_thread::yield();
  }
  ++exchanges_;
  finish_seconds_ += seconds(std::chrono::steady_clock::now() - started);
  background_total_ += background_done_;
  requests_total_ += requests_.size();
  const bool outstanding = std::any_of(requests_.begin(), requests_.end(),
                                       [](MPI_Request r) { return r != MPI_REQUEST_NULL; });
  if (outstanding || next < chunks) {
    broken_ = true;
    // Collect who is missing first; then cancel, so that no receive writes into slots_ and no
    // send reads the caller's x after this throws.
    std::vector<int> silent, not_taking;
    for (std::size_t i = 0; i < requests_.size(); ++i)
      if (requests_[i] != MPI_REQUEST_NULL) {
        auto& list = request_info_[i].send ? not_taking : silent;
        if (std::find(list.begin(), list.end(), request_info_[i].peer) == list.end())
          list.push_back(request_info_[i].peer);
      }
    cancel_outstanding();
    throw TimeoutError(fmt::format(
        "neighbour average at step {}: rank {} waited {:.3g} s;{}{} (a peer that is stuck, gone, "
        "or on another topology or step)",
        p_.step, rank_, seconds(timeout_),
        silent.empty() ? "" : fmt::format(" nothing arrived from rank {}", rank_list(silent)),
        not_taking.empty()
            ? ""
            : fmt::format(" rank {} did not take its values", rank_list(not_taking))));
  }
}

}  // namespace decent::comm
