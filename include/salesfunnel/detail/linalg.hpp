// Internal: small dense linear algebra on row-major n x n matrices: an LU
// solver with partial pivoting, and the matrix exponential.
#pragma once

#include <algorithm>
#include <array>
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


/// C = A B for n x n row-major matrices.
inline std::vector<double> matmul(const std::vector<double>& a, const std::vector<double>& b,
                                  std::size_t n) {
  std::vector<double> c(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < n; ++k) {
      const double f = a[i * n + k];
      if (f == 0) continue;
      for (std::size_t j = 0; j < n; ++j) c[i * n + j] += f * b[k * n + j];
    }
  }
  return c;
}

/// The 1-norm (largest absolute column sum).
inline double norm1(const std::vector<double>& a, std::size_t n) {
  double best = 0;
  for (std::size_t j = 0; j < n; ++j) {
    double col = 0;
    for (std::size_t i = 0; i < n; ++i) col += std::abs(a[i * n + j]);
    best = std::max(best, col);
  }
  return best;
}

/// The coefficients b_0..b_m of the [m/m] Pade approximant to e^x, scaled so
/// that b_0 = 1: b_j = (2m - j)! m! / ((2m)! j! (m - j)!) (Higham 2005, eq. 2.2).
inline std::vector<double> pade_coefficients(int m) {
  std::vector<double> b(static_cast<std::size_t>(m) + 1, 1.0);
  for (int j = 1; j <= m; ++j) b[j] = b[j - 1] * (m - j + 1) / (static_cast<double>(2 * m - j + 1) * j);
  return b;
}

/// r_m(A) = (V - U)^{-1} (V + U), from U (the odd part) and V (the even part).
inline std::vector<double> pade_solve(const std::vector<double>& u, const std::vector<double>& v,
                                      std::size_t n) {
  std::vector<double> den(n * n), num(n * n), col(n), out(n * n);
  for (std::size_t i = 0; i < n * n; ++i) {
    den[i] = v[i] - u[i];
    num[i] = v[i] + u[i];
  }
  const lu f(std::move(den), n);
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t i = 0; i < n; ++i) col[i] = num[i * n + j];
    const auto x = f.solve(col);
    for (std::size_t i = 0; i < n; ++i) out[i * n + j] = x[i];
  }
  return out;
}

/// r_m(A) for m in {3, 5, 7, 9}: U = A sum_k b_{2k+1} A^{2k}, V = sum_k b_{2k} A^{2k}.
inline std::vector<double> pade_low(const std::vector<double>& a, std::size_t n, int m) {
  const auto b = pade_coefficients(m);
  const auto a2 = matmul(a, a, n);
  std::vector<double> odd(n * n, 0.0), v(n * n, 0.0), power(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) power[i * n + i] = 1;  // A^0
  for (int k = 0; 2 * k < m; ++k) {
    for (std::size_t i = 0; i < n * n; ++i) {
      v[i] += b[2 * k] * power[i];
      odd[i] += b[2 * k + 1] * power[i];
    }
    if (2 * k + 2 < m) power = matmul(power, a2, n);
  }
  return pade_solve(matmul(a, odd, n), v, n);
}

/// r_13(A) evaluated as in Higham 2005 (eq. 2.3 and Algorithm 2.3) with A^2,
/// A^4, A^6 only: six matrix products instead of twelve.
inline std::vector<double> pade_13(const std::vector<double>& a, std::size_t n) {
  const auto b = pade_coefficients(13);
  const auto a2 = matmul(a, a, n), a4 = matmul(a2, a2, n), a6 = matmul(a4, a2, n);
  std::vector<double> hi_u(n * n), hi_v(n * n), lo_u(n * n), lo_v(n * n);
  for (std::size_t i = 0; i < n * n; ++i) {
    hi_u[i] = b[13] * a6[i] + b[11] * a4[i] + b[9] * a2[i];
    hi_v[i] = b[12] * a6[i] + b[10] * a4[i] + b[8] * a2[i];
    lo_u[i] = b[7] * a6[i] + b[5] * a4[i] + b[3] * a2[i];
    lo_v[i] = b[6] * a6[i] + b[4] * a4[i] + b[2] * a2[i];
  }
  for (std::size_t i = 0; i < n; ++i) {
    lo_u[i * n + i] += b[1];
    lo_v[i * n + i] += b[0];
  }
  auto inner = matmul(a6, hi_u, n);
  auto v = matmul(a6, hi_v, n);
  for (std::size_t i = 0; i < n * n; ++i) {
    inner[i] += lo_u[i];
    v[i] += lo_v[i];
  }
  return pade_solve(matmul(a, inner, n), v, n);
}

/// e^A of an n x n row-major matrix by scaling and squaring with a Pade
/// approximant (Higham 2005, "The scaling and squaring method for the matrix
/// exponential revisited", Algorithm 2.3): the lowest degree m in {3, 5, 7,
/// 9} whose theta_m bounds ||A||_1, else A / 2^s with ||A / 2^s||_1 <=
/// theta_13, r_13, then s squarings. The theta_m (Table 2.3) keep the
/// backward error below the unit roundoff.
inline std::vector<double> expm(std::vector<double> a, std::size_t n) {
  constexpr std::array<std::pair<int, double>, 4> low = {
      {{3, 1.495585217958292e-2}, {5, 2.539398330063230e-1}, {7, 9.504178996162932e-1},
       {9, 2.097847961257068e0}}};
  constexpr double theta_13 = 5.371920351148152e0;
  const double norm = norm1(a, n);
  for (const auto& [m, theta] : low) {
    if (norm <= theta) return pade_low(a, n, m);
  }
  const int s = std::max(0, static_cast<int>(std::ceil(std::log2(norm / theta_13))));
  const double scale = std::ldexp(1.0, -s);
  for (double& x : a) x *= scale;
  auto r = pade_13(a, n);
  for (int k = 0; k < s; ++k) r = matmul(r, r, n);
  return r;
}

}  // namespace detail
SALESFUNNEL_END_NAMESPACE
