#include "libs/grpcutil/tls.h"

#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "libs/common/status_macros.h"

namespace breachd::grpcutil {
namespace {

// The file's PEM text; "" for an empty path. INVALID_ARGUMENT names `flag` and the path.
absl::StatusOr<std::string> ReadPem(const std::string& path, const std::string& what) {
  if (path.empty()) return std::string();
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read the ", what, " ", path));
  }
  if (text->find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("the ", what, " ", path, " is not PEM"));
  }
  return text;
}

absl::Status RequirePair(const std::string& cert_file, const std::string& key_file) {
  if (cert_file.empty() != key_file.empty()) {
    return absl::InvalidArgumentError(
        "a TLS certificate needs its private key, and a key its certificate: give both");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsServerCredentials(
    const ServerTlsFiles& files) {
  if (files.cert_file.empty()) {
    return absl::InvalidArgumentError("a TLS server needs a certificate and a private key");
  }
  RETURN_IF_ERROR(RequirePair(files.cert_file, files.key_file));
  grpc::SslServerCredentialsOptions options;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.cert_chain, ReadPem(files.cert_file, "server certificate"));
  ASSIGN_OR_RETURN(pair.private_key, ReadPem(files.key_file, "server private key"));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  ASSIGN_OR_RETURN(options.pem_root_certs, ReadPem(files.client_ca_file, "client CA"));
  options.client_certificate_request =
      files.client_ca_file.empty()
          ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
          : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> TlsChannelCredentials(
    const ClientTlsFiles& files) {
  RETURN_IF_ERROR(RequirePair(files.cert_file, files.key_file));
  grpc::SslCredentialsOptions options;
  ASSIGN_OR_RETURN(options.pem_root_certs, ReadPem(files.ca_file, "CA certificate"));
  ASSIGN_OR_RETURN(options.pem_cert_chain, ReadPem(files.cert_file, "client certificate"));
  ASSIGN_OR_RETURN(options.pem_private_key, ReadPem(files.key_file, "client private key"));
  return grpc::SslCredentials(options);
}

TransportSecurity InsecureTransport() {
  return {grpc::InsecureServerCredentials(), grpc::InsecureChannelCredentials(), true};
}

absl::StatusOr<TransportSecurity> TlsTransport(const ServerTlsFiles& server,
                                               const std::string& peer_ca_file) {
  TransportSecurity transport;
  ASSIGN_OR_RETURN(transport.server, TlsServerCredentials(server));
  ClientTlsFiles client;
  client.ca_file = peer_ca_file;
  if (!server.client_ca_file.empty()) {
    client.cert_file = server.cert_file;
    client.key_file = server.key_file;
  }
  ASSIGN_OR_RETURN(transport.client, TlsChannelCredentials(client));
  return transport;
}

}  // namespace breachd::grpcutil
