// A thread that calls a function over and over while asked to: the MPI communicator's progress
// engine during an overlapped exchange (OpenMPI's TCP transport moves data only inside MPI
// calls, so without one nothing travels while the caller computes).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace decent::comm {

class BackgroundPoller {
 public:
  // `pause` between calls keeps the thread from taking a core from the computation it overlaps.
  explicit BackgroundPoller(std::chrono::microseconds pause);
  ~BackgroundPoller();  // stops and joins
  BackgroundPoller(const BackgroundPoller&) = delete;
  BackgroundPoller& operator=(const BackgroundPoller&) = delete;

  // Calls poll() repeatedly on the thread until it returns false or stop() is called. The
  // thread must be idle (not started, or stopped).
  void start(std::function<bool()> poll);
  // Returns once poll() is not running and will not run again until the next start().
  void stop();

 private:
  void loop();

  std::chrono::microseconds pause_;
  std::mutex m_;
  std::condition_variable cv_;
  std::function<bool()> poll_;  // guarded by m_
  bool active_ = false, running_ = false, quit_ = false;
  std::thread thread_;
};

}  // namespace decent::comm
