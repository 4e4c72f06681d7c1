// `ide`: the server (`ide serve`), its self-check (`ide doctor`) and the command-line client.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "client_commands.hpp"
#include "core/config.hpp"
#include "serve.hpp"

int main(int argc, char** argv) {
  using namespace ide;
  try {
    CLI::App app("ide: a self-hosted online IDE. `ide serve` runs the server and its web page; "
                 "the other commands talk to a running server.");
    app.require_subcommand(1);
    app.footer(
        "Client commands exit 0 on success, 1 when the program's verdict is not ok, 2 when the "
        "request failed, 3 when `ide result` finds it not finished yet.");

    core::Config config;
    // add_config_options applies the TOML file in the subcommand's final callback: these
    // subcommands get no callback of their own; parsed() tells which one ran.
    CLI::App* serve = app.add_subcommand("serve", "Run the server: HTTP API and web IDE");
    core::add_config_options(*serve, config);
    CLI::App* doctor = app.add_subcommand(
        "doctor", "Show the isolation and languages available here (takes serve's settings)");
    core::add_config_options(*doctor, config);
    app::ClientCommands client(app);

    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return app.exit(e);
    }
    if (serve->parsed()) return app::run_serve(config);
    if (doctor->parsed()) return app::run_doctor(config);
    return client.run();
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}
