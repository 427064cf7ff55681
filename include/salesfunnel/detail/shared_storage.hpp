// Internal: storage shared by copies of a handle and changed in place only
// by a sole owner (copy on write), safely across threads.
//
//   detail::shared_storage<data> s = detail::shared_storage<data>::make();
//   auto copy = s;             // shares
//   data& d = s.mutable_ref(); // copies first, since `copy` still shares
//
// std::shared_ptr cannot serve here: its use_count() is a relaxed load, so
// seeing one owner does not order another thread's reads (made before it
// dropped its copy) before our writes, and ThreadSanitizer rightly reports a
// race. The count here is released on every drop and acquired when it reads
// one, as Boost's intrusive_ref_counter does (kept out of core/, which
// includes no Boost).
#pragma once

#include <atomic>
#include <utility>

#include "salesfunnel/config.hpp"

SALESFUNNEL_BEGIN_NAMESPACE
namespace detail {

template <class T>
class shared_storage {
 public:
  shared_storage() = default;
  template <class... Args>
  static shared_storage make(Args&&... args) {
    shared_storage s;
    s.p_ = new block{std::atomic<long>{1}, T(std::forward<Args>(args)...)};
    return s;
  }
  shared_storage(const shared_storage& o) noexcept : p_(o.p_) {
    if (p_) p_->owners.fetch_add(1, std::memory_order_relaxed);
  }
  shared_storage(shared_storage&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  shared_storage& operator=(shared_storage o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~shared_storage() { release(); }

  const T& operator*() const { return p_->value; }
  const T* operator->() const { return &p_->value; }
  T& operator*() { return p_->value; }
  T* operator->() { return &p_->value; }
  T* get() { return p_ ? &p_->value : nullptr; }

  /// The value, copied first when another handle shares it: after this, no
  /// other handle sees the changes made through the reference.
  T& mutable_ref() {
    if (p_->owners.load(std::memory_order_acquire) != 1) *this = make(p_->value);
    return p_->value;
  }

 private:
  struct block {
    std::atomic<long> owners;
    T value;
  };
  void release() noexcept {
    if (p_ && p_->owners.fetch_sub(1, std::memory_order_acq_rel) == 1) delete p_;
    p_ = nullptr;
  }
  block* p_ = nullptr;
};

}  // namespace detail
SALESFUNNEL_END_NAMESPACE
