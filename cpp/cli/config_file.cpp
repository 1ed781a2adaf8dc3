#include "cli/config_file.hpp"

#include <filesystem>

#include "core/error.hpp"

namespace decent::cli {

void expand_config_file(const CLI::App& sub, std::vector<std::string>& args) {
  const auto name_at = std::find(args.begin(), args.end(), sub.get_name());
  if (name_at == args.end()) return;
  std::string path;
  for (auto it = name_at + 1; it != args.end(); ++it) {
    if (*it == "--config" && it + 1 != args.end()) {
      path = *(it + 1);
      args.erase(it, it + 2);
      break;
    }
    if (it->rfind("--config=", 0) == 0) {
      path = it->substr(9);
      args.erase(it);
      break;
    }
  }
  if (path.empty()) return;
  if (!std::filesystem::is_regular_file(path))
    throw InvalidArgument("--config " + path + ": no such file");
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_file(path);
  } catch (const CLI::Error& e) {
    throw InvalidArgument("--config " + path + ": " + e.what());
  }
  std::vector<std::string> expanded;
  for (const auto& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // section markers
    const std::string flag = "--" + item.name;
    const CLI::Option* opt = sub.get_option_no_throw(flag);
    if (opt == nullptr || item.name == "config")
      throw InvalidArgument("--config " + path + ": unknown key \"" + item.fullname() +
                            "\" (keys are the long flag names of `decent " + sub.get_name() + "`)");
    if (opt->get_type_size() == 0) {  // a flag: true or false
      const std::string v = item.inputs.empty() ? "true" : item.inputs.front();
      if (v == "true" || v == "1")
        expanded.push_back(flag);
      else if (v != "false" && v != "0")
        throw InvalidArgument("--config " + path + ": " + item.name + " = " + v +
                              ": expected true or false");
      continue;
    }
    for (const auto& v : item.inputs) {
      expanded.push_back(flag);
      expanded.push_back(v);
    }
  }
  const auto at = std::find(args.begin(), args.end(), sub.get_name());
  args.insert(at + 1, expanded.begin(), expanded.end());
}

}  // namespace decent::cli
