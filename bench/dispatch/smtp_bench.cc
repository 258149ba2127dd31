// Messages per second through SmtpSender to the tests' aiosmtpd on loopback: one SMTP session
// (connect, TLS, AUTH, one message, QUIT) per message, as the notification service sends them.
// The peer is ComposeMime alone, to show how little of the time is ours.
//
//   build/bench/smtp_bench --benchmark_min_time=5
#include <benchmark/benchmark.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/dispatch/smtp_sender.h"
#include "tests/testing/local_servers.h"

namespace breachd::dispatch {
namespace {

using ::breachd::testing::LocalSmtpServer;
using ::breachd::testing::LocalSmtpServerOptions;

MailMessage Message(int64_t n) {
  MailMessage message;
  message.to_address = absl::StrCat("genitore", n, "@example.it");
  message.to_name = "Mario Rossi";
  message.subject = "Violazione dei dati personali: è necessaria la sua attenzione";
  message.text_body = std::string(1500, 'x') + "\nPerché è importante\n";
  message.html_body = "<p>" + std::string(3000, 'y') + "</p>";
  message.message_id = absl::StrCat("<dlv-", n, "@breachd>");
  message.language = "it";
  return message;
}

void BM_SmtpSend(benchmark::State& state) {
  LocalSmtpServerOptions options;
  options.tls = static_cast<LocalSmtpServerOptions::Tls>(state.range(0));
  if (options.tls != LocalSmtpServerOptions::Tls::kNone) {
    options.user = "breachd";
    options.password = "bench-pw";
  }
  auto server = LocalSmtpServer::Start(options);
  if (!server.ok()) {
    state.SkipWithError(std::string(server.status().message()).c_str());
    return;
  }
  SmtpSettings settings;
  settings.url = (*server)->url();
  settings.username = options.user;
  settings.password = options.password;
  settings.ca_file = (*server)->ca_file();
  settings.require_tls = options.tls != LocalSmtpServerOptions::Tls::kNone;
  settings.from_address = "notifiche@breachd.example.org";
  const SmtpSender sender(settings);
  int64_t n = 0;
  for (auto _ : state) {
    absl::StatusOr<std::string> reply = sender.Send(Message(n++));
    if (!reply.ok()) {
      state.SkipWithError(std::string(reply.status().message()).c_str());
      break;
    }
  }
  state.SetItemsProcessed(n);
  state.SetLabel(options.tls == LocalSmtpServerOptions::Tls::kNone       ? "plaintext"
                 : options.tls == LocalSmtpServerOptions::Tls::kStartTls ? "STARTTLS+AUTH"
                                                                         : "implicit TLS+AUTH");
}
BENCHMARK(BM_SmtpSend)
    ->Arg(static_cast<int>(LocalSmtpServerOptions::Tls::kNone))
    ->Arg(static_cast<int>(LocalSmtpServerOptions::Tls::kStartTls))
    ->Arg(static_cast<int>(LocalSmtpServerOptions::Tls::kImplicit))
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_ComposeMime(benchmark::State& state) {
  SmtpSettings settings;
  settings.from_address = "notifiche@breachd.example.org";
  const MailMessage message = Message(1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ComposeMime(message, settings, absl::UnixEpoch()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ComposeMime)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace breachd::dispatch

BENCHMARK_MAIN();
