#include "libs/grpcutil/certificates.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/common/files.h"
#include "libs/common/openssl_ptr.h"
#include "libs/common/status_macros.h"

namespace breachd::grpcutil {
namespace {

using openssl::BioContents;
using openssl::BioPtr;
using openssl::BnPtr;
using openssl::PkeyPtr;
using openssl::X509Ptr;
using ExtPtr = std::unique_ptr<X509_EXTENSION,
                               openssl::Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

absl::Status OpenSslError(const std::string& what) {
  return absl::InternalError(absl::StrCat("OpenSSL: cannot ", what));
}

absl::StatusOr<PkeyPtr> ReadPrivateKey(const std::string& pem) {
  BioPtr bio = openssl::ReadBio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return absl::InvalidArgumentError("not a PEM private key");
  return key;
}

absl::StatusOr<X509Ptr> ReadCertificate(const std::string& pem) {
  BioPtr bio = openssl::ReadBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return absl::InvalidArgumentError("not a PEM certificate");
  return cert;
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  ExtPtr extension(X509V3_EXT_nconf_nid(nullptr, &context, nid, value.c_str()));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    return OpenSslError(absl::StrCat("add extension ", OBJ_nid2sn(nid), "=", value));
  }
  return absl::OkStatus();
}

absl::Status SetRandomSerial(X509* cert) {
  BnPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) {
    return OpenSslError("make a serial number");
  }
  return absl::OkStatus();
}

std::string SubjectAltNames(const CertificateRequest& request) {
  std::vector<std::string> names;
  for (const std::string& dns : request.dns_names) names.push_back("DNS:" + dns);
  for (const std::string& ip : request.ip_addresses) names.push_back("IP:" + ip);
  return absl::StrJoin(names, ",");
}

absl::Status AddExtensions(const CertificateRequest& request, X509* cert, X509* issuer) {
  RETURN_IF_ERROR(AddExtension(cert, issuer, NID_subject_key_identifier, "hash"));
  RETURN_IF_ERROR(AddExtension(cert, issuer, NID_authority_key_identifier, "keyid:always"));
  if (request.is_ca) {
    RETURN_IF_ERROR(AddExtension(cert, issuer, NID_basic_constraints, "critical,CA:TRUE"));
    return AddExtension(cert, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  RETURN_IF_ERROR(AddExtension(cert, issuer, NID_basic_constraints, "critical,CA:FALSE"));
  RETURN_IF_ERROR(AddExtension(cert, issuer, NID_key_usage, "critical,digitalSignature"));
  RETURN_IF_ERROR(AddExtension(cert, issuer, NID_ext_key_usage, "serverAuth,clientAuth"));
  const std::string names = SubjectAltNames(request);
  if (!names.empty()) RETURN_IF_ERROR(AddExtension(cert, issuer, NID_subject_alt_name, names));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<KeyAndCertificate> IssueCertificate(const CertificateRequest& request,
                                                   const KeyAndCertificate* issuer) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  if (!key || !cert) return OpenSslError("make a key");
  X509_set_version(cert.get(), 2);  // v3
  RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), absl::ToTimeT(request.not_before)) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()), absl::ToTimeT(request.not_after))) {
    return OpenSslError("set the validity");
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("breachd"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(request.common_name.c_str()),
                             -1, -1, 0);
  X509_set_pubkey(cert.get(), key.get());

  X509Ptr issuer_cert;
  PkeyPtr issuer_key;
  if (issuer != nullptr) {
    ASSIGN_OR_RETURN(issuer_cert, ReadCertificate(issuer->certificate_pem));
    ASSIGN_OR_RETURN(issuer_key, ReadPrivateKey(issuer->private_key_pem));
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert.get()));
  } else {
    X509_set_issuer_name(cert.get(), subject);
  }
  X509* signer_cert = issuer != nullptr ? issuer_cert.get() : cert.get();
  EVP_PKEY* signer_key = issuer != nullptr ? issuer_key.get() : key.get();
  RETURN_IF_ERROR(AddExtensions(request, cert.get(), signer_cert));
  if (X509_sign(cert.get(), signer_key, EVP_sha256()) == 0) return OpenSslError("sign");

  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return OpenSslError("write PEM");
  }
  return KeyAndCertificate{BioContents(cert_bio.get()), BioContents(key_bio.get())};
}

absl::StatusOr<KeyAndCertificate> NewCertificateAuthority(const std::string& common_name,
                                                          absl::Duration validity) {
  CertificateRequest request;
  request.common_name = common_name;
  request.not_before = absl::Now() - absl::Hours(1);
  request.not_after = absl::Now() + validity;
  request.is_ca = true;
  return IssueCertificate(request, nullptr);
}

absl::StatusOr<DevelopmentTlsFiles> EnsureDevelopmentCertificates(const std::string& dir) {
  const std::filesystem::path folder(dir);
  DevelopmentTlsFiles files;
  files.ca_file = (folder / "ca.pem").string();
  files.cert_file = (folder / "server.pem").string();
  files.key_file = (folder / "server-key.pem").string();
  if (std::filesystem::exists(files.ca_file) && std::filesystem::exists(files.cert_file) &&
      std::filesystem::exists(files.key_file)) {
    return files;
  }
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("cannot create ", dir, ": ", error.message()));
  }
  ASSIGN_OR_RETURN(KeyAndCertificate ca,
                   NewCertificateAuthority("breachd development CA", absl::Hours(24 * 3650)));
  CertificateRequest server;
  server.common_name = "localhost";
  server.dns_names = {"localhost"};
  server.ip_addresses = {"127.0.0.1", "::1"};
  server.not_before = absl::Now() - absl::Hours(1);
  server.not_after = absl::Now() + absl::Hours(24 * 825);
  ASSIGN_OR_RETURN(KeyAndCertificate issued, IssueCertificate(server, &ca));
  RETURN_IF_ERROR(WriteFileAtomically((folder / "ca-key.pem").string(), ca.private_key_pem, 0600));
  RETURN_IF_ERROR(WriteFileAtomically(files.ca_file, ca.certificate_pem, 0644));
  RETURN_IF_ERROR(WriteFileAtomically(files.key_file, issued.private_key_pem, 0600));
  RETURN_IF_ERROR(WriteFileAtomically(files.cert_file, issued.certificate_pem, 0644));
  files.created = true;
  return files;
}

}  // namespace breachd::grpcutil
