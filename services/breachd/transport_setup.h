// breachd's transport security from its flags: TLS from certificate files, TLS with a local
// development CA (--dev_tls), or plaintext only when asked for by name (--insecure).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "libs/grpcutil/tls.h"

namespace breachd::suite {

struct TransportFlags {
  bool insecure = false;
  bool dev_tls = false;
  std::string data_dir;       // --dev_tls keeps its CA and certificate in <data_dir>/tls
  std::string tls_cert;       // server certificate chain (PEM)
  std::string tls_key;        // its private key
  std::string tls_client_ca;  // when set: mutual TLS, clients need a certificate it signed
  std::string tls_ca;         // roots for calls to peers; default: the development CA, else
                              // the system's
};

struct PreparedTransport {
  grpcutil::TransportSecurity security;
  std::string dev_ca_file;  // the development CA clients should trust (--dev_tls only)
  bool created_dev_certificates = false;
};

// INVALID_ARGUMENT when the flags choose no transport or contradict each other.
absl::StatusOr<PreparedTransport> PrepareTransport(const TransportFlags& flags);

}  // namespace breachd::suite
