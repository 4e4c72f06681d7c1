// Every language of the shipped catalogue over HTTP (issue 11, item 5): the real `ide serve`
// runs a hello world, a program that reads stdin, and a program that does not compile (for an
// interpreted language: does not parse, a runtime_error with the message on stderr) in each
// installed language, and lists it with its probed version. The test command installs the
// default set (scripts/setup.sh), so at least twenty are there; a language of the catalogue
// without programs here fails the first case, so none ships untested.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "e2e_support.hpp"
#include "process.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using test::Api;
using test::ServerProcess;

namespace {

struct Programs {
  std::string hello;     // prints "hello\n"
  std::string echo;      // reads a line "abc" from stdin and prints "got abc"
  std::string broken;    // refused by the compiler, or by the interpreter's parser
  bool compiled = true;  // broken gives compile_error (else runtime_error)
};

const std::map<std::string, Programs>& programs() {
  static const std::map<std::string, Programs> table = {
      {"python", {"print('hello')", "print('got', input())", "print('x'", false}},
      {"c",
       {"#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n",
        "#include <stdio.h>\nint main(void) { char s[64]; scanf(\"%63s\", s); "
        "printf(\"got %s\\n\", s); return 0; }\n",
        "int main(void) { return x; }\n"}},
      {"cpp",
       {"#include <iostream>\nint main() { std::cout << \"hello\\n\"; }\n",
        "#include <iostream>\n#include <string>\nint main() { std::string s; std::cin >> s; "
        "std::cout << \"got \" << s << '\\n'; }\n",
        "int main() { return x; }\n"}},
      {"javascript",
       {"console.log('hello')",
        "console.log('got ' + require('fs').readFileSync(0, 'utf8').trim())", "console.log(",
        false}},
      {"bash", {"echo hello", "read line; echo \"got $line\"", "if then fi", false}},
      {"java",
       {"public class Main { public static void main(String[] a) { "
        "System.out.println(\"hello\"); } }",
        "public class Main { public static void main(String[] a) { "
        "System.out.println(\"got \" + new java.util.Scanner(System.in).nextLine()); } }",
        "public class Main { public static void main(String[] a) { int x = \"s\"; } }"}},
      {"go",
       {"package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"hello\") }\n",
        "package main\nimport \"fmt\"\nfunc main() { var s string; fmt.Scan(&s); "
        "fmt.Println(\"got\", s) }\n",
        "package main\nfunc main() { x := }\n"}},
      {"rust",
       {"fn main() { println!(\"hello\"); }",
        "fn main() { let mut s = String::new(); std::io::stdin().read_line(&mut s).unwrap(); "
        "println!(\"got {}\", s.trim()); }",
        "fn main() { let x: i32 = \"s\"; }"}},
      {"ruby", {"puts 'hello'", "puts \"got #{gets.strip}\"", "puts(", false}},
      {"lua", {"print('hello')", "print('got ' .. io.read())", "print(", false}},
      {"php",
       {"<?php echo \"hello\\n\";", "<?php echo 'got ' . trim(fgets(STDIN)) . \"\\n\";",
        "<?php echo (;", false}},
      {"perl", {"print \"hello\\n\";", "my $s = <STDIN>; print \"got $s\";", "print (", false}},
      {"typescript",
       {"console.log(\"hello\");",
        "declare function require(name: string): any;\n"
        "const s: string = require(\"fs\").readFileSync(0, \"utf8\");\n"
        "console.log(\"got \" + s.trim());\n",
        "const x: number = \"s\";\n"}},
      {"fortran",
       {"program h\n  print '(a)', 'hello'\nend program h\n",
        "program h\n  character(len=64) :: s\n  read (*, '(a)') s\n"
        "  print '(a)', 'got ' // trim(s)\nend program h\n",
        "program h\n  x =\nend program h\n"}},
      {"pascal",
       {"begin\n  writeln('hello');\nend.\n",
        "var s: string;\nbegin\n  readln(s);\n  writeln('got ', s);\nend.\n",
        "begin\n  writeln('x'\nend.\n"}},
      {"assembly",
       {"section .data\nmsg db 'hello', 10\nsection .text\nglobal _start\n_start:\n"
        "  mov rax, 1\n  mov rdi, 1\n  mov rsi, msg\n  mov rdx, 6\n  syscall\n"
        "  mov rax, 60\n  xor rdi, rdi\n  syscall\n",
        // Prints "got " and then echoes what it read.
        "section .data\ngot db 'got '\nsection .bss\nbuf resb 64\nsection .text\n"
        "global _start\n_start:\n  mov rax, 1\n  mov rdi, 1\n  mov rsi, got\n  mov rdx, 4\n"
        "  syscall\n  mov rax, 0\n  mov rdi, 0\n  mov rsi, buf\n  mov rdx, 64\n  syscall\n"
        "  mov rdx, rax\n  mov rax, 1\n  mov rdi, 1\n  mov rsi, buf\n  syscall\n"
        "  mov rax, 60\n  xor rdi, rdi\n  syscall\n",
        "section .text\n_start:\n  mov rax,\n"}},
      // SQL reads no stdin: the "stdin" program is a query over a table it makes.
      {"sql",
       {"SELECT 'hello';",
        "CREATE TABLE t (s TEXT); INSERT INTO t VALUES ('abc'); SELECT 'got ' || s FROM t;",
        "SELEC 1;", false}},
      {"scheme",
       {"(display \"hello\")\n(newline)\n",
        "(use-modules (ice-9 rdelim))\n(display (string-append \"got \" (read-line)))\n"
        "(newline)\n",
        "(display \"x\"", false}},
      {"r",
       {"cat('hello\\n')", "cat('got', readLines(file('stdin'), n = 1), '\\n', sep = ' ')",
        "cat('x'", false}},
      {"ocaml",
       {"let () = print_endline \"hello\"", "let () = print_endline (\"got \" ^ read_line ())",
        "let () = print_endline 1"}},
      {"csharp",
       {"class P { static void Main() { System.Console.WriteLine(\"hello\"); } }",
        "class P { static void Main() { "
        "System.Console.WriteLine(\"got \" + System.Console.ReadLine()); } }",
        "class P { static void Main() { int x = \"s\"; } }"}},
      {"erlang",
       {"-module(main).\n-export([main/0]).\nmain() -> io:format(\"hello~n\").\n",
        "-module(main).\n-export([main/0]).\n"
        "main() -> io:format(\"got ~s\", [io:get_line(\"\")]).\n",
        "-module(main).\nmain() -> .\n"}},
      {"elixir",
       {"IO.puts \"hello\"", "IO.puts \"got \" <> String.trim(IO.read(:stdio, :line))", "IO.puts (",
        false}},
      {"kotlin",
       {"fun main() { println(\"hello\") }", "fun main() { println(\"got \" + readLine()) }",
        "fun main() { val x: Int = \"s\" }"}},
      {"racket",
       {"#lang racket/base\n(displayln \"hello\")\n",
        "#lang racket/base\n(displayln (string-append \"got \" (read-line)))\n",
        "#lang racket/base\n(displayln \"x\"\n", false}},
  };
  return table;
}

std::vector<std::string> catalogue_ids() {
  std::ifstream file(std::string(IDE_SOURCE_DIR) + "/config/languages.json");
  std::stringstream text;
  text << file.rdbuf();
  const boost::json::value catalogue = boost::json::parse(text.str());
  std::vector<std::string> ids;
  for (const auto& entry : catalogue.as_array()) ids.push_back(test::str(entry.at("id")));
  return ids;
}

struct Submitted {
  std::string hello, echo, broken;
};

}  // namespace

TEST_CASE("every language of the shipped catalogue has its three programs here",
          "[e2e][languages]") {
  const auto ids = catalogue_ids();
  CHECK(ids.size() >= 20);
  for (const std::string& id : ids) {
    INFO(id);
    CHECK(programs().count(id) == 1);
  }
}

// Not in the cgroup v2 guest: its image carries only the minimum toolchains.
TEST_CASE("twenty languages or more say hello, read stdin and report a broken program",
          "[e2e][languages][not-in-guest]") {
  test::TempDir dir;
  ServerProcess server(dir.path(),
                       {"--rate-limit-per-minute", "0", "--max-queued-per-client", "0"});
  Api api(server.url());
  const auto listed = boost::json::parse(api.get("/api/v1/languages").body);
  INFO(boost::json::serialize(listed));
  const auto& languages = listed.as_array();
  CHECK(languages.size() >= 20);

  // All submitted first, so the server's workers run them side by side.
  std::map<std::string, Submitted> submitted;
  for (const auto& language : languages) {
    const std::string id = test::str(language.at("id"));
    const std::string version = test::str(language.at("version"));
    INFO(id << " " << version);
    CHECK(version != "unknown");
    CHECK(version.find('.') != std::string::npos);
    const auto found = programs().find(id);
    REQUIRE(found != programs().end());
    const Programs& p = found->second;
    submitted[id] = {api.submit(id, p.hello), api.submit(id, p.echo, "abc\n"),
                     api.submit(id, p.broken)};
  }
  for (const auto& [id, runs] : submitted) {
    const Programs& p = programs().at(id);
    auto hello = api.wait_done(runs.hello);
    auto echo = api.wait_done(runs.echo);
    auto broken = api.wait_done(runs.broken);
    INFO(id << "\nhello: " << boost::json::serialize(hello) << "\necho: "
            << boost::json::serialize(echo) << "\nbroken: " << boost::json::serialize(broken));
    CHECK(hello.at("verdict") == "ok");
    CHECK(test::str(hello.at("stdout")) == "hello\n");
    CHECK(echo.at("verdict") == "ok");
    CHECK(test::str(echo.at("stdout")).rfind("got abc", 0) == 0);
    CHECK(broken.at("verdict") == (p.compiled ? "compile_error" : "runtime_error"));
    const std::string complaint = test::str(broken.at(p.compiled ? "compile_output" : "stderr"));
    CHECK_FALSE(complaint.empty());
  }
  CHECK(server.stop() == 0);
}
