// Dataset readers on real and on written files (plain, gzip, corrupt, truncated), partitions,
// normalisation, augmentation and the epoch order of the loader.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

#include "../common/skip.hpp"
#include "core/error.hpp"
#include "data/loader.hpp"
#include "data/partition.hpp"
#include "data/readers.hpp"

namespace decent::data {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("decent_data_test_" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::vector<unsigned char> be32(std::uint32_t v) {
  return {static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16),
          static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
}

void write_bytes(const std::string& path, const std::vector<unsigned char>& bytes, bool gz) {
  if (gz) {
    gzFile f = gzopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
}

// IDX files of n images of h x w with pixel (i, j) = (7 i + j) mod 256 and label i mod 10.
std::vector<unsigned char> idx_images(std::uint32_t n, std::uint32_t h, std::uint32_t w) {
  std::vector<unsigned char> b;
  for (auto v : {0x803u, n, h, w})
    for (auto c : be32(v)) b.push_back(c);
  for (std::uint32_t i = 0; i < n; ++i)
    for (std::uint32_t j = 0; j < h * w; ++j)
      b.push_back(static_cast<unsigned char>((7 * i + j) % 256));
  return b;
}
std::vector<unsigned char> idx_labels(std::uint32_t n) {
  std::vector<unsigned char> b;
  for (auto v : {0x801u, n})
    for (auto c : be32(v)) b.push_back(c);
  for (std::uint32_t i = 0; i < n; ++i) b.push_back(static_cast<unsigned char>(i % 10));
  return b;
}

template <class F>
std::string io_error_of(F&& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "(no IoError)";
}

}  // namespace

TEST_CASE("real Fashion-MNIST from Debian's dataset-fashion-mnist") {
  test::skip_unless_exists(kDebianFashionMnistDir, "dataset-fashion-mnist");
  for (bool train : {true, false}) {
    const auto set = read_mnist_dir(kDebianFashionMnistDir, train);
    const std::int64_t n = train ? 60000 : 10000;
    CHECK(set.size() == n);
    CHECK(set.channels == 1);
    CHECK(set.height == 28);
    CHECK(set.width == 28);
    CHECK(set.pixels.size() == static_cast<std::size_t>(n * 784));
    // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
    std::map<int, std::int64_t> per_class;
    for (auto l : set.labels) ++per_class[l];
    CHECK(per_class.size() == 10);
    for (auto [label, count] : per_class) CHECK(count == n / 10);
    CHECK(*std::max_element(set.pixels.begin(), set.pixels.end()) == 255);
  }
}

TEST_CASE("IDX round trip, plain and gzip") {
  TempDir dir;
  for (bool gz : {false, true}) {
    write_bytes(dir.file("img"), idx_images(5, 3, 4), gz);
    write_bytes(dir.file("lab"), idx_labels(5), gz);
    const auto set = read_idx(dir.file("img"), dir.file("lab"));
    CHECK(set.size() == 5);
    CHECK(set.height == 3);
    CHECK(set.width == 4);
    for (std::int64_t i = 0; i < 5; ++i) {
      CHECK(set.labels[i] == i % 10);
      for (std::int64_t j = 0; j < 12; ++j) CHECK(set.pixels[i * 12 + j] == (7 * i + j) % 256);
    }
  }
}

TEST_CASE("corrupt and truncated IDX files name the file and the byte offset") {
  TempDir dir;
  write_bytes(dir.file("lab"), idx_labels(5), false);
  auto img = idx_images(5, 3, 4);
  img.resize(16 + 12 * 3 + 5);  // 3 whole images and 5 bytes
  write_bytes(dir.file("short"), img, false);
  CHECK(io_error_of([&] { read_idx(dir.file("short"), dir.file("lab")); }) ==
        "file " + dir.file("short") +
            ": truncated at byte offset 57: expected 60 bytes of pixels "
            "for 5 images from offset 16");
  auto bad = idx_images(5, 3, 4);
  bad[3] = 0x01;
  write_bytes(dir.file("magic"), bad, false);
  CHECK(io_error_of([&] {
          read_idx(dir.file("magic"), dir.file("lab"));
        }).find("IDX magic 0x00000801 at byte offset 0; expected 0x00000803") != std::string::npos);
  write_bytes(dir.file("img"), idx_images(5, 3, 4), false);
  write_bytes(dir.file("lab4"), idx_labels(4), false);
  CHECK(io_error_of([&] {
          read_idx(dir.file("img"), dir.file("lab4"));
        }).find("4 labels at byte offset 4") != std::string::npos);
  auto labels = idx_labels(5);
  labels[8 + 3] = 12;
  write_bytes(dir.file("lab12"), labels, false);
  CHECK(io_error_of([&] {
          read_idx(dir.file("img"), dir.file("lab12"));
        }).find("label 12 at byte offset 11 is outside [0, 10)") != std::string::npos);
  // A gzip stream cut in the middle.
  write_bytes(dir.file("img.gz"), idx_images(50, 28, 28), true);
  const auto full = fs::file_size(dir.file("img.gz"));
  fs::resize_file(dir.file("img.gz"), full / 2);
  const auto cut = io_error_of([&] { read_idx(dir.file("img.gz"), dir.file("lab")); });
  CHECK(cut.find("file " + dir.file("img.gz")) == 0);
  CHECK(cut.find("byte offset") != std::string::npos);
  CHECK(io_error_of([&] { read_idx(dir.file("none"), dir.file("lab")); }).find("not found") !=
        std::string::npos);
}

TEST_CASE("IDX: trailing label data, empty sets and gzip files cut short are errors") {
  TempDir dir;
  write_bytes(dir.file("img"), idx_images(5, 3, 4), false);
  auto labels = idx_labels(5);
  labels.push_back(3);  // one byte more than the header's 5 labels
  write_bytes(dir.file("lab_long"), labels, false);
  CHECK(io_error_of([&] { read_idx(dir.file("img"), dir.file("lab_long")); }) ==
        "file " + dir.file("lab_long") +
            ": unexpected data after byte offset 13 (the header says 5 labels)");

  write_bytes(dir.file("img0"), idx_images(0, 3, 4), false);
  write_bytes(dir.file("lab0"), idx_labels(0), false);
  CHECK(io_error_of([&] {
          read_idx(dir.file("img0"), dir.file("lab0"));
        }).find("file " + dir.file("img0") + ": the image count at byte offset 4 is 0") == 0);

  // Whole data, but the 8-byte gzip trailer (CRC-32 and length) missing, or only its last byte.
  write_bytes(dir.file("lab"), idx_labels(5), false);
  write_bytes(dir.file("full.gz"), idx_images(5, 3, 4), true);
  const auto size = fs::file_size(dir.file("full.gz"));
  for (std::uintmax_t cut : {std::uintmax_t{8}, std::uintmax_t{1}}) {
    fs::copy_file(dir.file("full.gz"), dir.file("cut.gz"), fs::copy_options::overwrite_existing);
    fs::resize_file(dir.file("cut.gz"), size - cut);
    const auto e = io_error_of([&] { read_idx(dir.file("cut.gz"), dir.file("lab")); });
    CHECK(e.find("file " + dir.file("cut.gz") + ": the gzip stream is truncated") == 0);
    CHECK(e.find("byte offset 76") != std::string::npos);  // 16 header + 60 pixel bytes
  }
  CHECK(read_idx(dir.file("full.gz"), dir.file("lab")).size() == 5);
}

TEST_CASE("CIFAR-10 binary records: round trip and truncation") {
  TempDir dir;
  auto records = [](int n, int first) {
    std::vector<unsigned char> b;
    for (int r = 0; r < n; ++r) {
      b.push_back(static_cast<unsigned char>((first + r) % 10));
      for (int j = 0; j < 3072; ++j) b.push_back(static_cast<unsigned char>((first + r + j) % 251));
    }
    return b;
  };
  write_bytes(dir.file("a.bin"), records(3, 0), false);
  write_bytes(dir.file("b.bin"), records(2, 3), false);
  const auto set = read_cifar10({dir.file("a.bin"), dir.file("b.bin")});
  CHECK(set.size() == 5);
  CHECK(set.channels == 3);
  CHECK(set.sample_size() == 3072);
  for (int i = 0; i < 5; ++i) {
    CHECK(set.labels[i] == i % 10);
    CHECK(set.pixels[i * 3072 + 1024] == (i + 1024) % 251);  // first green pixel
  }
  auto cut = records(3, 0);
  cut.resize(3073 * 2 + 100);
  write_bytes(dir.file("cut.bin"), cut, false);
  CHECK(io_error_of([&] { read_cifar10({dir.file("cut.bin")}); }) ==
        "file " + dir.file("cut.bin") +
            ": truncated at byte offset 6246: record 2 has 100 of its "
            "3073 bytes (1 label + 3072 pixels)");
  auto bad = records(2, 0);
  bad[3073] = 10;
  write_bytes(dir.file("bad.bin"), bad, false);
  CHECK(io_error_of([&] {
          read_cifar10({dir.file("bad.bin")});
        }).find("label 10 at byte offset 3073") != std::string::npos);
}

namespace {
std::vector<std::int32_t> balanced_labels(int n, int classes) {
  std::vector<std::int32_t> l(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) l[i] = i % classes;
  return l;
}
void check_exact_cover(const std::vector<std::vector<std::int64_t>>& parts, std::size_t n) {
  std::vector<int> seen(n, 0);
  for (const auto& p : parts)
    for (auto i : p) ++seen[static_cast<std::size_t>(i)];
  CHECK(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
}
}  // namespace

TEST_CASE("partitions: iid sizes, sorted labels, Dirichlet heterogeneity") {
  const auto labels = balanced_labels(1003, 10);
  const auto iid = partition(labels, 10, 8, {PartitionKind::iid, 0, 3});
  check_exact_cover(iid, labels.size());
  for (const auto& p : iid) CHECK((p.size() == 125 || p.size() == 126));
  CHECK(iid == partition(labels, 10, 8, {PartitionKind::iid, 0, 3}));  // deterministic
  CHECK(iid != partition(labels, 10, 8, {PartitionKind::iid, 0, 4}));

  const auto sorted = partition(labels, 10, 10, {PartitionKind::sorted, 0, 3});
  check_exact_cover(sorted, labels.size());
  for (const auto& p : sorted) {
    std::set<int> distinct;
    for (auto i : p) distinct.insert(labels[i]);
    CHECK(distinct.size() <= 2);
  }

  // Mean share of a node's most frequent class: 0.1 for iid labels; near 1 for tiny alpha.
  auto dominance = [&](double alpha) {
    const auto parts = partition(labels, 10, 8, {PartitionKind::dirichlet, alpha, 5});
    check_exact_cover(parts, labels.size());
    double total = 0;
    for (const auto& p : parts) {
      REQUIRE(!p.empty());
      std::map<int, int> h;
      for (auto i : p) ++h[labels[i]];
      int top = 0;
      for (auto [l, c] : h) top = std::max(top, c);
      total += static_cast<double>(top) / static_cast<double>(p.size());
    }
    return total / 8;
  };
  CHECK(dominance(1000) < 0.2);
  CHECK(dominance(0.05) > 0.6);

  // alpha so small that every Gamma draw underflows to 0 (0.1.0 crashed): each class goes to
  // one node, all samples are covered once, and no node is left empty.
  for (double tiny : {1e-6, 1e-300}) {
    const auto parts = partition(labels, 10, 8, {PartitionKind::dirichlet, tiny, 5});
    check_exact_cover(parts, labels.size());
    std::size_t classes_split = 0;
    for (int c = 0; c < 10; ++c) {
      int holders = 0;
      for (const auto& p : parts) {
        REQUIRE(!p.empty());
        holders += std::any_of(p.begin(), p.end(), [&](auto i) { return labels[i] == c; });
      }
      classes_split += holders > 1;
    }
    // Only the samples moved to fill empty nodes can split a class.
    CHECK(classes_split <= 8);
  }

  CHECK(parse_partition("dirichlet:0.1", 1).alpha == 0.1);
  CHECK_THROWS_WITH_AS(parse_partition("dirichlet:0", 1), doctest::Contains("alpha must be > 0"),
                       InvalidArgument);
  CHECK_THROWS_WITH_AS(parse_partition("random", 1), doctest::Contains("expected iid"),
                       InvalidArgument);
  CHECK_THROWS_AS(partition(balanced_labels(3, 3), 3, 4, {}), InvalidArgument);
}

TEST_CASE("loader: every epoch a new permutation, resumable, normalised") {
  auto set = synthetic_images(100, 2, 4, 4, 5, 9);
  const auto norm = normalization_of(set);
  std::vector<std::int64_t> mine(100);
  std::iota(mine.begin(), mine.end(), 0);
  BatchLoader loader(set, mine, 10, norm, {}, 7);
  CHECK(loader.batches_per_epoch() == 10);
  std::vector<float> img;
  std::vector<std::int32_t> lab;
  std::vector<std::vector<float>> epoch0, epoch1;
  for (int b = 0; b < 10; ++b) {
    loader.next(img, lab);
    epoch0.push_back(img);
  }
  CHECK(loader.epoch() == 1);
  for (int b = 0; b < 10; ++b) {
    loader.next(img, lab);
    epoch1.push_back(img);
  }
  CHECK(epoch0 != epoch1);
  // Each epoch covers every sample once: the sum over an epoch is the sum over the set.
  auto total = [](const std::vector<std::vector<float>>& e) {
    double s = 0;
    for (auto& b : e) s += std::accumulate(b.begin(), b.end(), 0.0);
    return s;
  };
  CHECK(total(epoch0) == doctest::Approx(total(epoch1)).epsilon(1e-9));
  // Normalised over the set: mean 0 and standard deviation 1 per channel (summed here).
  double sq = 0;
  for (auto& b : epoch0)
    for (float v : b) sq += static_cast<double>(v) * v;
  CHECK(std::abs(total(epoch0)) < 1e-2);
  CHECK(sq / 3200 == doctest::Approx(1.0).epsilon(1e-4));
  // Resume at epoch 1, batch 4.
  BatchLoader resumed(set, mine, 10, norm, {}, 7);
  resumed.seek(1, 4);
  resumed.next(img, lab);
  CHECK(img == epoch1[4]);
  CHECK_THROWS_AS(resumed.seek(0, 10), OutOfRange);
  CHECK_THROWS_WITH_AS(BatchLoader(set, {1, 2}, 10, norm, {}, 7),
                       doctest::Contains("fewer than one batch"), InvalidArgument);
}

TEST_CASE("augmentation: flips mirror, crops shift with zero padding") {
  auto set = synthetic_images(1, 1, 5, 6, 2, 3);
  const Normalization unit{{0.0f}, {1.0f / 255.0f}};  // pixels map to themselves
  std::vector<float> plain, aug;
  std::vector<std::int32_t> lab;
  make_batch(set, std::vector<std::int64_t>{0}, unit, plain, lab);
  CHECK(plain[7] == static_cast<float>(set.pixels[7]));
  int mirrored = 0, same = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    BatchLoader l(set, {0}, 1, unit, {0, true}, seed);
    l.next(aug, lab);
    bool is_mirror = true;
    for (int y = 0; y < 5; ++y)
      for (int x = 0; x < 6; ++x) is_mirror &= aug[y * 6 + x] == plain[y * 6 + (5 - x)];
    mirrored += is_mirror;
    same += aug == plain;
  }
  CHECK(mirrored + same == 40);
  CHECK(mirrored > 5);
  CHECK(same > 5);
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    BatchLoader l(set, {0}, 1, unit, {2, false}, seed);
    l.next(aug, lab);
    // Some shift (dy, dx) in [-2, 2]^2 explains every pixel, with zeros outside the image.
    bool explained = false;
    for (int dy = -2; dy <= 2 && !explained; ++dy)
      for (int dx = -2; dx <= 2 && !explained; ++dx) {
        bool ok = true;
        for (int y = 0; y < 5; ++y)
          for (int x = 0; x < 6; ++x) {
            const int sy = y + dy, sx = x + dx;
            const float want = (sy < 0 || sy >= 5 || sx < 0 || sx >= 6) ? 0.0f : plain[sy * 6 + sx];
            ok &= aug[y * 6 + x] == want;
          }
        explained = ok;
      }
    CHECK(explained);
  }
}

}  // namespace decent::data
