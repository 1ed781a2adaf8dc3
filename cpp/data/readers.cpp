#include "data/readers.hpp"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace decent::data {
namespace {

// A sequential reader over a plain or gzip file that knows its offset, for error messages.
class ByteReader {
 public:
  explicit ByteReader(std::string path) : path_(std::move(path)) {
    if (!std::filesystem::is_regular_file(path_))
      throw IoError("file " + path_ + ": not found (or not a regular file)");
    file_ = gzopen(path_.c_str(), "rb");
    if (!file_) throw IoError("file " + path_ + ": cannot be opened");
    gzbuffer(file_, 1 << 17);
  }
  ~ByteReader() {
    if (file_) gzclose(file_);
  }
  ByteReader(const ByteReader&) = delete;
  ByteReader& operator=(const ByteReader&) = delete;

  const std::string& path() const { return path_; }
  std::uint64_t offset() const { return offset_; }

  // Reads up to n bytes; returns how many were read (fewer only at the end of the file).
  std::size_t read_some(void* out, std::size_t n) {
    std::size_t done = 0;
    auto* p = static_cast<unsigned char*>(out);
    while (done < n) {
      const auto chunk = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 30));
      const int got = gzread(file_, p + done, chunk);
      if (got < 0) {
        int code = 0;
        const char* msg = gzerror(file_, &code);
        throw IoError("file " + path_ + ": corrupt at byte offset " +
                      std::to_string(offset_ + done) + ": " + (msg ? msg : "read error"));
      }
      if (got == 0) {
        // zlib reports a gzip stream cut short (a truncated tail, a missing trailer) only here,
        // as Z_BUF_ERROR at what would otherwise be the end of the file.
        int code = Z_OK;
        const char* msg = gzerror(file_, &code);
        if (code != Z_OK)
          throw IoError("file " + path_ + ": the gzip stream is truncated or corrupt at byte " +
                        "offset " + std::to_string(offset_ + done) +
                        " of its data: " + (msg ? msg : "read error"));
        break;
      }
      done += static_cast<std::size_t>(got);
    }
    offset_ += done;
    return done;
  }

  // Reads exactly n bytes of `what`, or throws naming the offset where the file ended.
  void read_exact(void* out, std::size_t n, const std::string& what) {
    const auto start = offset_;
    const auto got = read_some(out, n);
    if (got != n)
      throw IoError("file " + path_ + ": truncated at byte offset " + std::to_string(start + got) +
                    ": expected " + std::to_string(n) + " bytes of " + what + " from offset " +
                    std::to_string(start));
  }

  std::uint32_t read_be32(const std::string& what) {
    unsigned char b[4];
    read_exact(b, 4, what);
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
           b[3];
  }

  // Throws IoError unless the file ends here; `why` says what fixed the length.
  void expect_end(const std::string& why) {
    if (!at_end())
      throw IoError("file " + path_ + ": unexpected data after byte offset " +
                    std::to_string(offset_) + " (" + why + ")");
  }

  bool at_end() {
    unsigned char c;
    if (read_some(&c, 1) == 0) return true;
    offset_ -= 1;  // only a probe; callers throw right after
    return false;
  }

 private:
  std::string path_;
  gzFile file_ = nullptr;
  std::uint64_t offset_ = 0;
};

std::string hex(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Reads the 4-byte IDX magic number and throws unless it is `expected` (described by `what`).
void expect_magic(ByteReader& in, std::uint32_t expected, const std::string& what) {
  const auto magic = in.read_be32("the IDX magic number");
  if (magic != expected)
    throw IoError("file " + in.path() + ": IDX magic " + hex(magic) +
                  " at byte offset 0; expected " + hex(expected) + " (" + what + ")");
}

void check_labels(const std::vector<std::int32_t>& labels, std::int64_t classes,
                  const std::string& path, std::uint64_t first_offset, std::uint64_t stride) {
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] >= classes)
      throw IoError("file " + path + ": label " + std::to_string(labels[i]) + " at byte offset " +
                    std::to_string(first_offset + i * stride) + " is outside [0, " +
                    std::to_string(classes) + ")");
}

// `base` itself, or `base`.gz, whichever exists.
std::string find_plain_or_gz(const std::string& dir, const std::string& base) {
  namespace fs = std::filesystem;
  for (const auto& name : {base, base + ".gz"}) {
    const auto p = fs::path(dir) / name;
    if (fs::is_regular_file(p)) return p.string();
  }
  throw IoError("directory " + dir + ": neither " + base + " nor " + base +
                ".gz is there (Fashion-MNIST on Debian: apt-get install dataset-fashion-mnist)");
}

}  // namespace

ImageSet read_idx(const std::string& images_path, const std::string& labels_path,
                  std::int64_t classes) {
  if (classes < 2 || classes > 256)
    throw InvalidArgument("IDX classes " + std::to_string(classes) + ": expected 2 to 256");
  ImageSet set;
  set.name = images_path;
  set.classes = classes;
  ByteReader images(images_path);
  expect_magic(images, 0x00000803, "unsigned bytes, 3 dims: an image file");
  const auto n = images.read_be32("the image count");
  if (n == 0)
    throw IoError("file " + images_path + ": the image count at byte offset 4 is 0 (an empty set " +
                  "cannot be trained or evaluated on)");
  set.channels = 1;
  set.height = images.read_be32("the image height");
  set.width = images.read_be32("the image width");
  if (set.height < 1 || set.width < 1 || set.height > 4096 || set.width > 4096)
    throw IoError("file " + images_path + ": image size " + std::to_string(set.height) + "x" +
                  std::to_string(set.width) + " at byte offset 8 is not plausible");
  set.pixels.resize(static_cast<std::size_t>(n) * static_cast<std::size_t>(set.sample_size()));
  images.read_exact(set.pixels.data(), set.pixels.size(),
                    "pixels for " + std::to_string(n) + " images");
  images.expect_end("the header says " + std::to_string(n) + " images");

  ByteReader labels(labels_path);
  expect_magic(labels, 0x00000801, "unsigned bytes, 1 dim: a label file");
  const auto ln = labels.read_be32("the label count");
  if (ln != n)
    throw IoError("file " + labels_path + ": " + std::to_string(ln) +
                  " labels at byte offset 4, but " + images_path + " holds " + std::to_string(n) +
                  " images");
  std::vector<std::uint8_t> raw(n);
  labels.read_exact(raw.data(), raw.size(), "labels for " + std::to_string(n) + " images");
  labels.expect_end("the header says " + std::to_string(n) + " labels");
  set.labels.assign(raw.begin(), raw.end());
  check_labels(set.labels, classes, labels_path, 8, 1);
  return set;
}

ImageSet read_cifar10(const std::vector<std::string>& paths) {
  if (paths.empty()) throw InvalidArgument("CIFAR-10: no files given");
  ImageSet set;
  set.name = "cifar10";
  set.channels = 3;
  set.height = set.width = 32;
  set.classes = 10;
  constexpr std::size_t kPixels = 3072;
  std::vector<unsigned char> record(1 + kPixels);
  for (const auto& path : paths) {
    ByteReader in(path);
    std::size_t records = 0;
    for (;;) {
      const auto start = in.offset();
      const auto got = in.read_some(record.data(), record.size());
      if (got == 0) break;
      if (got != record.size())
        throw IoError("file " + path + ": truncated at byte offset " + std::to_string(start + got) +
                      ": record " + std::to_string(records) + " has " + std::to_string(got) +
                      " of its 3073 bytes (1 label + 3072 pixels)");
      if (record[0] > 9)
        throw IoError("file " + path + ": label " + std::to_string(record[0]) + " at byte offset " +
                      std::to_string(start) + " is outside [0, 10)");
      set.labels.push_back(record[0]);
      set.pixels.insert(set.pixels.end(), record.begin() + 1, record.end());
      ++records;
    }
    if (records == 0) throw IoError("file " + path + ": empty; expected CIFAR-10 records");
  }
  return set;
}

ImageSet read_mnist_dir(const std::string& dir, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  auto set = read_idx(find_plain_or_gz(dir, prefix + "-images-idx3-ubyte"),
                      find_plain_or_gz(dir, prefix + "-labels-idx1-ubyte"), 10);
  set.name = dir + (train ? " (train)" : " (test)");
  return set;
}

ImageSet read_cifar10_dir(const std::string& dir, bool train) {
  std::vector<std::string> paths;
  if (train)
    for (int i = 1; i <= 5; ++i)
      paths.push_back(
          (std::filesystem::path(dir) / ("data_batch_" + std::to_string(i) + ".bin")).string());
  else
    paths.push_back((std::filesystem::path(dir) / "test_batch.bin").string());
  auto set = read_cifar10(paths);
  set.name = dir + (train ? " (train)" : " (test)");
  return set;
}

ImageSet open_dataset(const std::string& kind, const std::string& dir, bool train,
                      const std::string& dir_name) {
  auto required = [&](const char* what) {
    if (dir.empty()) throw InvalidArgument(kind + " needs " + dir_name + " (" + what + ")");
    return dir;
  };
  if (kind == "fashion-mnist")
    return read_mnist_dir(dir.empty() ? kDebianFashionMnistDir : dir, train);
  if (kind == "mnist") return read_mnist_dir(required("the folder of the IDX files"), train);
  if (kind == "cifar10")
    return read_cifar10_dir(required("the cifar-10-batches-bin folder"), train);
  if (kind == "synthetic") {
    constexpr std::int64_t kTrain = 10000, kTest = 2000;
    auto all = synthetic_images(kTrain + kTest, 1, 28, 28, 10, 1234);
    const auto first = train ? 0 : kTrain, count = train ? kTrain : kTest;
    ImageSet split = all;
    split.labels.assign(all.labels.begin() + first, all.labels.begin() + first + count);
    split.pixels.assign(all.pixels.begin() + first * all.sample_size(),
                        all.pixels.begin() + (first + count) * all.sample_size());
    return split;
  }
  if (kind == "memory")
    throw InvalidArgument(
        "kind \"memory\" is a program's own data, given through the C ABI "
        "(decent_trainer_create_with_data); files are read for fashion-mnist, mnist, cifar10 or "
        "synthetic");
  throw InvalidArgument("kind \"" + kind +
                        "\": unknown; expected fashion-mnist, mnist, cifar10 or synthetic");
}

ImageSet synthetic_images(std::int64_t count, std::int64_t channels, std::int64_t height,
                          std::int64_t width, std::int64_t classes, std::uint64_t seed) {
  if (count < 1 || channels < 1 || height < 1 || width < 1 || classes < 2)
    throw InvalidArgument("synthetic images: count, channels, height and width >= 1, classes >= 2");
  ImageSet set;
  set.name = "synthetic";
  set.channels = channels;
  set.height = height;
  set.width = width;
  set.classes = classes;
  Rng rng(seed);
  const auto s = set.sample_size();
  std::vector<double> templates(static_cast<std::size_t>(classes * s));
  for (auto& t : templates) t = 96 + 64 * rng.uniform();  // low contrast: not trivially separable
  set.pixels.resize(static_cast<std::size_t>(count * s));
  for (std::int64_t i = 0; i < count; ++i) {
    const auto label =
        static_cast<std::int32_t>(rng.next_u64() % static_cast<std::uint64_t>(classes));
    set.labels.push_back(label);
    for (std::int64_t j = 0; j < s; ++j) {
      const double v = templates[label * s + j] + 200 * (rng.uniform() - 0.5);
      set.pixels[i * s + j] = static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0));
    }
  }
  return set;
}

}  // namespace decent::data
