// Internal: a small dense LU solver with partial pivoting (row-major).
#pragma once

#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

#include "salesfunnel/config.hpp"

SALESFUNNEL_BEGIN_NAMESPACE
namespace detail {

/// LU factorisation of an n x n row-major matrix, kept for repeated solves.
class lu {
 public:
  /// Factorises `a`; singular() tells whether a pivot vanished.
  lu(std::vector<double> a, std::size_t n) : a_(std::move(a)), n_(n), piv_(n) {
    for (std::size_t i = 0; i < n_; ++i) piv_[i] = i;
    for (std::size_t k = 0; k < n_; ++k) {
      std::size_t p = k;
      for (std::size_t i = k + 1; i < n_; ++i) {
        if (std::abs(at(i, k)) > std::abs(at(p, k))) p = i;
      }
      if (std::abs(at(p, k)) < 1e-300) {
        singular_ = true;
        return;
      }
      if (p != k) {
        for (std::size_t j = 0; j < n_; ++j) std::swap(at(p, j), at(k, j));
        std::swap(piv_[p], piv_[k]);
      }
      for (std::size_t i = k + 1; i < n_; ++i) {
        at(i, k) /= at(k, k);
        const double f = at(i, k);
        if (f == 0) continue;
        for (std::size_t j = k + 1; j < n_; ++j) at(i, j) -= f * at(k, j);
      }
    }
  }

  bool singular() const { return singular_; }

  /// Solves A x = b.
  std::vector<double> solve(const std::vector<double>& b) const {
    std::vector<double> x(n_);
    for (std::size_t i = 0; i < n_; ++i) x[i] = b[piv_[i]];
    for (std::size_t i = 0; i < n_; ++i) {
      for (std::size_t j = 0; j < i; ++j) x[i] -= at(i, j) * x[j];
    }
    for (std::size_t i = n_; i-- > 0;) {
      for (std::size_t j = i + 1; j < n_; ++j) x[i] -= at(i, j) * x[j];
      x[i] /= at(i, i);
    }
    return x;
  }

  /// Solves A^T x = b.
  std::vector<double> solve_transposed(const std::vector<double>& b) const {
    // A = P^T L U, so A^T x = b  <=>  U^T L^T (P x) = b.
    std::vector<double> y(b);
    for (std::size_t i = 0; i < n_; ++i) {
      for (std::size_t j = 0; j < i; ++j) y[i] -= at(j, i) * y[j];
      y[i] /= at(i, i);
    }
    for (std::size_t i = n_; i-- > 0;) {
      for (std::size_t j = i + 1; j < n_; ++j) y[i] -= at(j, i) * y[j];
    }
    std::vector<double> x(n_);
    for (std::size_t i = 0; i < n_; ++i) x[piv_[i]] = y[i];
    return x;
  }

 private:
  double& at(std::size_t i, std::size_t j) { return a_[i * n_ + j]; }
  double at(std::size_t i, std::size_t j) const { return a_[i * n_ + j]; }

  std::vector<double> a_;
  std::size_t n_;
  std::vector<std::size_t> piv_;
  bool singular_ = false;
};

}  // namespace detail
SALESFUNNEL_END_NAMESPACE
