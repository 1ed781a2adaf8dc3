// Naive double-precision references of the layers, over plain NCHW arrays, written from the
// definitions (direct loops, no library): the independent expected values of the GPU layer
// tests (tests/gpu/cudnn_layers_test.cpp), which run on a machine without oneDNN. These loops
// are themselves checked on the host against oneDNN's layers (tests/unit/naive_nn_test.cpp).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace decent::test::naive {

using Values = std::vector<double>;

struct Conv {
  std::int64_t n, c, h, w, k, r, stride, padding;
  std::int64_t oh() const { return (h + 2 * padding - r) / stride + 1; }
  std::int64_t ow() const { return (w + 2 * padding - r) / stride + 1; }
  std::int64_t x_at(std::int64_t b, std::int64_t ch, std::int64_t y, std::int64_t z) const {
    return ((b * c + ch) * h + y) * w + z;
  }
  std::int64_t w_at(std::int64_t o, std::int64_t ch, std::int64_t y, std::int64_t z) const {
    return ((o * c + ch) * r + y) * r + z;
  }
  std::int64_t y_at(std::int64_t b, std::int64_t o, std::int64_t y, std::int64_t z) const {
    return ((b * k + o) * oh() + y) * ow() + z;
  }
  // f(b, o, oy, ox, ch, iy, ix) for every product of the cross-correlation inside the image.
  template <class F>
  void each_product(F&& f) const {
    for (std::int64_t b = 0; b < n; ++b)
      for (std::int64_t o = 0; o < k; ++o)
        for (std::int64_t oy = 0; oy < oh(); ++oy)
          for (std::int64_t ox = 0; ox < ow(); ++ox)
            for (std::int64_t ch = 0; ch < c; ++ch)
              for (std::int64_t ky = 0; ky < r; ++ky)
                for (std::int64_t kx = 0; kx < r; ++kx) {
                  const std::int64_t iy = oy * stride - padding + ky,
                                     ix = ox * stride - padding + kx;
                  if (iy >= 0 && iy < h && ix >= 0 && ix < w) f(b, o, oy, ox, ch, iy, ix, ky, kx);
                }
  }
};

template <class X>
Values conv_forward(const Conv& g, const X& x, const X& wt) {
  Values y(static_cast<std::size_t>(g.n * g.k * g.oh() * g.ow()), 0.0);
  g.each_product(
      [&](auto b, auto o, auto oy, auto ox, auto ch, auto iy, auto ix, auto ky, auto kx) {
        y[static_cast<std::size_t>(g.y_at(b, o, oy, ox))] +=
            static_cast<double>(x[static_cast<std::size_t>(g.x_at(b, ch, iy, ix))]) *
            static_cast<double>(wt[static_cast<std::size_t>(g.w_at(o, ch, ky, kx))]);
      });
  return y;
}

// dx and dw of sum(dy * conv(x, w)).
template <class X>
void conv_backward(const Conv& g, const X& x, const X& wt, const X& dy, Values& dx, Values& dw) {
  dx.assign(static_cast<std::size_t>(g.n * g.c * g.h * g.w), 0.0);
  dw.assign(static_cast<std::size_t>(g.k * g.c * g.r * g.r), 0.0);
  g.each_product(
      [&](auto b, auto o, auto oy, auto ox, auto ch, auto iy, auto ix, auto ky, auto kx) {
        const double d = dy[static_cast<std::size_t>(g.y_at(b, o, oy, ox))];
        dx[static_cast<std::size_t>(g.x_at(b, ch, iy, ix))] +=
            d * static_cast<double>(wt[static_cast<std::size_t>(g.w_at(o, ch, ky, kx))]);
        dw[static_cast<std::size_t>(g.w_at(o, ch, ky, kx))] +=
            d * static_cast<double>(x[static_cast<std::size_t>(g.x_at(b, ch, iy, ix))]);
      });
}

// Training batch norm over (N, H, W) per channel of NCHW x, with ReLU when `relu`; the
// backward of sum(dy * y) through it. mean and biased var come out for the running update.
struct BatchNorm {
  std::int64_t n, c, h, w;
  double epsilon;
  bool relu;
  std::int64_t at(std::int64_t b, std::int64_t ch, std::int64_t i) const {
    return (b * c + ch) * h * w + i;
  }
  template <class X>
  void forward(const X& x, const X& scale, const X& shift, Values& y, Values& mean,
               Values& var) const {
    const double m = static_cast<double>(n * h * w);
    y.assign(static_cast<std::size_t>(n * c * h * w), 0.0);
    mean.assign(static_cast<std::size_t>(c), 0.0);
    var.assign(static_cast<std::size_t>(c), 0.0);
    for (std::int64_t ch = 0; ch < c; ++ch) {
      double s = 0, q = 0;
      for (std::int64_t b = 0; b < n; ++b)
        for (std::int64_t i = 0; i < h * w; ++i) s += x[static_cast<std::size_t>(at(b, ch, i))];
      const double mu = s / m;
      for (std::int64_t b = 0; b < n; ++b)
        for (std::int64_t i = 0; i < h * w; ++i) {
          const double d = x[static_cast<std::size_t>(at(b, ch, i))] - mu;
          q += d * d;
        }
      mean[static_cast<std::size_t>(ch)] = mu;
      var[static_cast<std::size_t>(ch)] = q / m;
      const double inv = 1 / std::sqrt(q / m + epsilon);
      for (std::int64_t b = 0; b < n; ++b)
        for (std::int64_t i = 0; i < h * w; ++i) {
          const auto k = static_cast<std::size_t>(at(b, ch, i));
          const double v = scale[static_cast<std::size_t>(ch)] * (x[k] - mu) * inv +
                           shift[static_cast<std::size_t>(ch)];
          y[k] = relu && v < 0 ? 0 : v;
        }
    }
  }
  template <class X>
  void backward(const X& x, const X& scale, const Values& y, const X& dy, const Values& mean,
                const Values& var, Values& dx, Values& dscale, Values& dshift) const {
    const double m = static_cast<double>(n * h * w);
    dx.assign(static_cast<std::size_t>(n * c * h * w), 0.0);
    dscale.assign(static_cast<std::size_t>(c), 0.0);
    dshift.assign(static_cast<std::size_t>(c), 0.0);
    for (std::int64_t ch = 0; ch < c; ++ch) {
      const auto cs = static_cast<std::size_t>(ch);
      const double inv = 1 / std::sqrt(var[cs] + epsilon);
      auto g = [&](std::size_t k) { return relu && !(y[k] > 0) ? 0.0 : double(dy[k]); };
      double sg = 0, sgx = 0;
      for (std::int64_t b = 0; b < n; ++b)
        for (std::int64_t i = 0; i < h * w; ++i) {
          const auto k = static_cast<std::size_t>(at(b, ch, i));
          sg += g(k);
          sgx += g(k) * (x[k] - mean[cs]) * inv;
        }
      dscale[cs] = sgx;
      dshift[cs] = sg;
      for (std::int64_t b = 0; b < n; ++b)
        for (std::int64_t i = 0; i < h * w; ++i) {
          const auto k = static_cast<std::size_t>(at(b, ch, i));
          const double xhat = (x[k] - mean[cs]) * inv;
          dx[k] = scale[cs] * inv * (g(k) - sg / m - xhat * sgx / m);
        }
    }
  }
};

// y = x W^T + b for x rows x in, W out x in; and the backward of sum(dy * y).
template <class X>
Values linear_forward(std::int64_t rows, std::int64_t in, std::int64_t out, const X& x, const X& wt,
                      const X& bias) {
  Values y(static_cast<std::size_t>(rows * out));
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t o = 0; o < out; ++o) {
      double s = bias[static_cast<std::size_t>(o)];
      for (std::int64_t f = 0; f < in; ++f)
        s += double(x[static_cast<std::size_t>(i * in + f)]) *
             double(wt[static_cast<std::size_t>(o * in + f)]);
      y[static_cast<std::size_t>(i * out + o)] = s;
    }
  return y;
}

template <class X>
void linear_backward(std::int64_t rows, std::int64_t in, std::int64_t out, const X& x, const X& wt,
                     const X& dy, Values& dx, Values& dw, Values& db) {
  dx.assign(static_cast<std::size_t>(rows * in), 0.0);
  dw.assign(static_cast<std::size_t>(out * in), 0.0);
  db.assign(static_cast<std::size_t>(out), 0.0);
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t o = 0; o < out; ++o) {
      const double d = dy[static_cast<std::size_t>(i * out + o)];
      db[static_cast<std::size_t>(o)] += d;
      for (std::int64_t f = 0; f < in; ++f) {
        dx[static_cast<std::size_t>(i * in + f)] +=
            d * double(wt[static_cast<std::size_t>(o * in + f)]);
        dw[static_cast<std::size_t>(o * in + f)] +=
            d * double(x[static_cast<std::size_t>(i * in + f)]);
      }
    }
}

// max_i |a_i - r_i| / max_i |r_i|: the error relative to the reference's scale.
template <class A, class R>
double relative_error(const A& a, const R& r) {
  double worst = 0, scale = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    worst = std::max(worst, std::abs(double(a[i]) - double(r[i])));
    scale = std::max(scale, std::abs(double(r[i])));
  }
  return scale > 0 ? worst / scale : worst;
}

}  // namespace decent::test::naive
