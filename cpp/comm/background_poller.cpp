#include "comm/background_poller.hpp"

namespace decent::comm {

BackgroundPoller::BackgroundPoller(std::chrono::microseconds pause)
    : pause_(pause), thread_([this] { loop(); }) {}

BackgroundPoller::~BackgroundPoller() {
  {
    std::lock_guard lock(m_);
    quit_ = true;
    active_ = false;
  }
  cv_.notify_all();
  thread_.join();
}

void BackgroundPoller::start(std::function<bool()> poll) {
  {
    std::lock_guard lock(m_);
    poll_ = std::move(poll);
    active_ = true;
  }
  cv_.notify_all();
}

void BackgroundPoller::stop() {
  std::unique_lock lock(m_);
  active_ = false;
  cv_.wait(lock, [this] { return !running_; });
}

void BackgroundPoller::loop() {
  std::unique_lock lock(m_);
  while (true) {
    cv_.wait(lock, [this] { return active_ || quit_; });
    if (quit_) return;
    running_ = true;
    while (active_) {
      lock.unlock();
      const bool again = poll_();
      lock.lock();
      if (!again) active_ = false;
      if (active_) {
        // Wakes early only for stop() or the destructor.
        cv_.wait_for(lock, pause_, [this] { return !active_ || quit_; });
      }
    }
    running_ = false;
    cv_.notify_all();
  }
}

}  // namespace decent::comm
