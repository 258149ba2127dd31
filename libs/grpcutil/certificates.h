// X.509 certificates made with OpenSSL's C API: a local certificate authority and the
// certificates it issues (P-256 keys, SHA-256 signatures). The development run makes its CA
// and server certificate with these; tests make good and bad ones (expired, wrong host,
// another CA).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace breachd::grpcutil {

struct CertificateRequest {
  std::string common_name;
  std::vector<std::string> dns_names;     // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries
  absl::Time not_before;
  absl::Time not_after;
  bool is_ca = false;  // a CA signs certificates; a leaf serves TLS (server and client auth)
};

// A certificate and its private key, both PEM.
struct KeyAndCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
};

// Makes a new key and a certificate for it, signed by `issuer` (nullptr: self-signed).
absl::StatusOr<KeyAndCertificate> IssueCertificate(const CertificateRequest& request,
                                                   const KeyAndCertificate* issuer);

// A CA valid from an hour ago for `validity`, named `common_name`.
absl::StatusOr<KeyAndCertificate> NewCertificateAuthority(const std::string& common_name,
                                                          absl::Duration validity);

// The files of the development run's TLS, in one folder.
struct DevelopmentTlsFiles {
  std::string ca_file;      // the local CA's certificate: what clients trust
  std::string cert_file;    // the server certificate (127.0.0.1, ::1, localhost)
  std::string key_file;     // its private key (mode 0600)
  bool created = false;     // true when this start made them
};

// Loads the development CA and server certificate from `dir`, or creates them (the CA's key
// stays in `dir` as ca-key.pem, mode 0600) when they do not exist yet.
absl::StatusOr<DevelopmentTlsFiles> EnsureDevelopmentCertificates(const std::string& dir);

}  // namespace breachd::grpcutil
