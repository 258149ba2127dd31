#include "services/breachd/transport_setup.h"

#include <filesystem>

#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/grpcutil/certificates.h"

namespace breachd::suite {

absl::StatusOr<PreparedTransport> PrepareTransport(const TransportFlags& flags) {
  const bool has_files = !flags.tls_cert.empty() || !flags.tls_key.empty();
  if (flags.insecure && (has_files || flags.dev_tls)) {
    return absl::InvalidArgumentError(
        "--insecure (plaintext) contradicts --tls_cert/--tls_key/--dev_tls: choose one");
  }
  if (has_files && flags.dev_tls) {
    return absl::InvalidArgumentError("--dev_tls makes its own certificate: drop --tls_cert/--tls_key");
  }
  PreparedTransport prepared;
  if (flags.insecure) {
    log::Warn("plaintext gRPC (--insecure): bearer tokens and personal data cross the network "
              "in clear; use TLS outside a development machine");
    prepared.security = grpcutil::InsecureTransport();
    return prepared;
  }
  grpcutil::ServerTlsFiles server{flags.tls_cert, flags.tls_key, flags.tls_client_ca};
  std::string peer_ca = flags.tls_ca;
  if (flags.dev_tls) {
    ASSIGN_OR_RETURN(grpcutil::DevelopmentTlsFiles dev,
                     grpcutil::EnsureDevelopmentCertificates(
                         (std::filesystem::path(flags.data_dir) / "tls").string()));
    server.cert_file = dev.cert_file;
    server.key_file = dev.key_file;
    if (peer_ca.empty()) peer_ca = dev.ca_file;
    prepared.dev_ca_file = dev.ca_file;
    prepared.created_dev_certificates = dev.created;
  } else if (!has_files) {
    return absl::InvalidArgumentError(
        "no transport security chosen: give --tls_cert and --tls_key (docs/security.md), "
        "--dev_tls for a local development CA, or --insecure for plaintext");
  }
  ASSIGN_OR_RETURN(prepared.security, grpcutil::TlsTransport(server, peer_ca));
  return prepared;
}

}  // namespace breachd::suite
