// A small starter program per language: each reads a line of input, so Input has a visible use.
// Languages without an entry (the catalogue is data) start from an empty editor.

export const STARTERS = {
  python: `import sys

# Reads your name from Input and greets you.
name = sys.stdin.readline().strip() or "world"
print(f"Hello, {name}!")

squares = [n * n for n in range(1, 6)]
print("Squares:", squares)
`,
  c: `#include <stdio.h>
#include <string.h>

int main(void) {
    char name[100] = "world";
    if (fgets(name, sizeof name, stdin) != NULL) {
        name[strcspn(name, "\\r\\n")] = '\\0';
    }
    printf("Hello, %s!\\n", name[0] ? name : "world");
    return 0;
}
`,
  cpp: `#include <iostream>
#include <string>

int main() {
    std::string name;
    if (!std::getline(std::cin, name) || name.empty()) name = "world";
    std::cout << "Hello, " << name << "!\\n";
    return 0;
}
`,
  javascript: `// Reads your name from Input and greets you.
const input = require("fs").readFileSync(0, "utf8").trim();
const name = input.split("\\n")[0] || "world";
console.log(\`Hello, \${name}!\`);
`,
  typescript: `const input: string = require("fs").readFileSync(0, "utf8").trim();
const name: string = input.split("\\n")[0] || "world";
console.log(\`Hello, \${name}!\`);
`,
  bash: `#!/bin/bash
# Reads your name from Input and greets you.
read -r name
echo "Hello, \${name:-world}!"
`,
  java: `import java.util.Scanner;

public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        String name = in.hasNextLine() ? in.nextLine().trim() : "";
        System.out.println("Hello, " + (name.isEmpty() ? "world" : name) + "!");
    }
}
`,
  go: `package main

import (
\t"bufio"
\t"fmt"
\t"os"
\t"strings"
)

func main() {
\tline, _ := bufio.NewReader(os.Stdin).ReadString('\\n')
\tname := strings.TrimSpace(line)
\tif name == "" {
\t\tname = "world"
\t}
\tfmt.Printf("Hello, %s!\\n", name)
}
`,
  rust: `use std::io::{self, BufRead};

fn main() {
    let mut name = String::new();
    io::stdin().lock().read_line(&mut name).unwrap();
    let name = name.trim();
    println!("Hello, {}!", if name.is_empty() { "world" } else { name });
}
`,
  ruby: `name = ($stdin.gets || "").strip
name = "world" if name.empty?
puts "Hello, #{name}!"
`,
  lua: `local name = io.read("l") or ""
if name == "" then name = "world" end
print("Hello, " .. name .. "!")
`,
  php: `<?php
$name = trim(fgets(STDIN) ?: "");
echo "Hello, " . ($name === "" ? "world" : $name) . "!\\n";
`,
};

export const STARTER_INPUT = "Ada\n";

// True when `code` is nothing the user wrote: empty or one of the starters.
export function isStarterOrEmpty(code) {
  if (code.trim() === "") return true;
  return Object.values(STARTERS).some((s) => s === code);
}
