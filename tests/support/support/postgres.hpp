// A throwaway PostgreSQL cluster for one test process, from Debian's postgresql package: initdb in
// a temp dir (as the `postgres` user when the tests run as root, since initdb refuses root),
// listening on 127.0.0.1 on a free port, stopped and removed when the process exits. Nothing is
// mocked: the stores under test talk to a real server.
#pragma once

#include <string>

namespace ide::test {

/// A new, empty database of the process's cluster (started on first use) as a postgresql://
/// URL. Throws std::runtime_error, saying why, when no cluster can be started.
std::string new_postgres_database();

}  // namespace ide::test
