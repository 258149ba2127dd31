#include "tools/breachctl/register_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "libs/common/proto_time.h"

namespace breachd::breachctl {
namespace {

using breach::v1::RegisterEntry;

constexpr double kWidth = 842;   // A4 landscape, points
constexpr double kHeight = 595;
constexpr double kMargin = 36;

// Times as a school reads them: Europe/Rome, day first.
std::string Data(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "";
  absl::TimeZone rome;
  if (!absl::LoadTimeZone("Europe/Rome", &rome)) rome = absl::UTCTimeZone();
  return absl::FormatTime("%d/%m/%Y %H:%M", TimeFromProto(ts), rome);
}

std::string Si(bool value) { return value ? "sì" : "no"; }

std::string Stato(breach::v1::BreachStatus status) {
  switch (status) {
    case breach::v1::BREACH_STATUS_REPORTED: return "segnalata";
    case breach::v1::BREACH_STATUS_TRIAGED: return "valutata (triage)";
    case breach::v1::BREACH_STATUS_ASSESSED: return "analizzata";
    case breach::v1::BREACH_STATUS_DECIDED: return "decisa";
    case breach::v1::BREACH_STATUS_CLOSED: return "chiusa";
    default: return "";
  }
}

std::string Esito(breach::v1::TriageVerdict verdict) {
  switch (verdict) {
    case breach::v1::TRIAGE_VERDICT_BREACH: return "violazione";
    case breach::v1::TRIAGE_VERDICT_NOT_A_BREACH: return "non è una violazione";
    case breach::v1::TRIAGE_VERDICT_INVESTIGATING: return "in verifica";
    default: return "";
  }
}

std::string Gravita(const RegisterEntry& entry) {
  if (entry.assessment_version() == 0) return "";
  switch (entry.severity_band()) {
    case breach::v1::SEVERITY_BAND_LOW: return absl::StrCat(entry.severity_score(), " bassa");
    case breach::v1::SEVERITY_BAND_MEDIUM: return absl::StrCat(entry.severity_score(), " media");
    case breach::v1::SEVERITY_BAND_HIGH: return absl::StrCat(entry.severity_score(), " alta");
    case breach::v1::SEVERITY_BAND_VERY_HIGH:
      return absl::StrCat(entry.severity_score(), " molto alta");
    default: return absl::StrCat(entry.severity_score());
  }
}

// "sì, 28/03/2026 09:30, prot. 0012345/2026", "no (dovuta)", "no".
std::string Comunicazione(const breach::v1::Communication& column) {
  if (!column.done()) return column.required() ? "no (dovuta)" : "no";
  std::string text = absl::StrCat("sì, ", Data(column.at()));
  if (!column.protocol_number().empty()) absl::StrAppend(&text, ", prot. ", column.protocol_number());
  if (!column.details().empty()) absl::StrAppend(&text, " (", column.details(), ")");
  return text;
}

class Pages {
 public:
  static cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  }

  Pages() {
    surface_ = cairo_pdf_surface_create_for_stream(&Pages::Append, &bytes_, kWidth, kHeight);
    cairo_ = cairo_create(surface_);
    y_ = kMargin;
  }
  ~Pages() {
    if (cairo_ != nullptr) cairo_destroy(cairo_);
    if (surface_ != nullptr) cairo_surface_destroy(surface_);
  }

  absl::StatusOr<std::string> Finish() {
    cairo_destroy(cairo_);
    cairo_ = nullptr;
    cairo_surface_finish(surface_);
    const cairo_status_t status = cairo_surface_status(surface_);
    cairo_surface_destroy(surface_);
    surface_ = nullptr;
    if (status != CAIRO_STATUS_SUCCESS) {
      return absl::InternalError(absl::StrCat("cairo: ", cairo_status_to_string(status)));
    }
    return std::move(bytes_);
  }

  void NewPage() {
    cairo_show_page(cairo_);
    y_ = kMargin;
  }

  // Lays out `text` at x within `width`; returns its height. Draws it unless `measure_only`.
  double Text(double x, double width, const std::string& text, const char* font,
              bool measure_only = false) {
    PangoLayout* layout = pango_cairo_create_layout(cairo_);
    PangoFontDescription* description = pango_font_description_from_string(font);
    pango_layout_set_font_description(layout, description);
    pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout, text.c_str(), -1);
    int w = 0, h = 0;
    pango_layout_get_size(layout, &w, &h);
    if (!measure_only) {
      cairo_move_to(cairo_, x, y_);
      pango_cairo_show_layout(cairo_, layout);
    }
    pango_font_description_free(description);
    g_object_unref(layout);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  // One line of cells: wraps each, breaks the page first if the tallest does not fit.
  void Row(const std::vector<double>& widths, const std::vector<std::string>& cells,
           const char* font, bool rule = true) {
    double height = 0;
    for (size_t i = 0; i < cells.size(); ++i) {
      height = std::max(height, Text(0, widths[i] - 4, cells[i], font, /*measure_only=*/true));
    }
    if (y_ + height > kHeight - kMargin) NewPage();
    double x = kMargin;
    for (size_t i = 0; i < cells.size(); ++i) {
      Text(x, widths[i] - 4, cells[i], font);
      x += widths[i];
    }
    y_ += height + 2;
    if (rule) {
      cairo_set_line_width(cairo_, 0.3);
      cairo_move_to(cairo_, kMargin, y_);
      cairo_line_to(cairo_, kWidth - kMargin, y_);
      cairo_stroke(cairo_);
      y_ += 2;
    }
  }

  // A paragraph across the page.
  void Line(const std::string& text, const char* font) {
    Row({kWidth - 2 * kMargin}, {text}, font, /*rule=*/false);
  }

  void Skip(double points) { y_ += points; }

 private:
  std::string bytes_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cairo_ = nullptr;
  double y_ = 0;
};

constexpr char kTitle[] = "Sans Bold 14";
constexpr char kBold[] = "Sans Bold 8";
constexpr char kBody[] = "Sans 8";

void Field(Pages& pages, const char* label, const std::string& value) {
  pages.Row({170, kWidth - 2 * kMargin - 170}, {label, value.empty() ? "—" : value}, kBody, false);
}

void BreachPage(Pages& pages, int number, const breach::v1::ExportedBreach& breach) {
  const RegisterEntry& e = breach.entry();
  pages.NewPage();
  pages.Line(absl::StrCat("Violazione n. ", number, " — ", e.breach_id()), kTitle);
  pages.Skip(4);
  std::vector<std::string> measures;
  for (const auto& measure : e.measures()) measures.push_back(measure.what());
  std::vector<std::string> reasons;
  for (const auto& reason : e.classification_reasons()) reasons.push_back(reason.it());
  Field(pages, "Scuola", e.tenant());
  Field(pages, "Stato", Stato(e.status()));
  Field(pages, "Data della scoperta", Data(e.discovered_at()));
  Field(pages, "Data dell'incidente", Data(e.incident_at()));
  Field(pages, "Luogo", e.place());
  Field(pages, "Smarrimento di dispositivi", Si(e.device_lost()));
  Field(pages, "Banche dati coinvolte", absl::StrJoin(e.databases(), "; "));
  Field(pages, "Descrizione", e.description());
  Field(pages, "Interessati (numero approssimativo)", absl::StrCat(e.approx_data_subjects()));
  Field(pages, "Azioni poste in essere", e.actions_taken());
  Field(pages, "Esito del triage", absl::StrCat(Esito(e.verdict()), e.verdict_reason().empty() ? "" : ": ", e.verdict_reason()));
  Field(pages, "Momento della consapevolezza", Data(e.aware_at()));
  Field(pages, "Evidenza", e.awareness_evidence());
  Field(pages, "Gravità (ENISA)", Gravita(e));
  Field(pages, "Classificazione", e.classification() == 0 ? "" : absl::StrCat(e.classification(), " — ", absl::StrJoin(reasons, "; ")));
  Field(pages, "Misure adottate", absl::StrJoin(measures, "; "));
  Field(pages, "Notifica al Garante", Comunicazione(e.authority()));
  Field(pages, "Comunicazione agli interessati", Comunicazione(e.data_subjects()));
  Field(pages, "Comunicazione ad altri", Comunicazione(e.others()));
  Field(pages, "Regimi applicati", absl::StrJoin(e.regimes(), ", "));
  Field(pages, "Prossima scadenza", Data(e.next_due_at()));
  Field(pages, "In ritardo", Si(e.overdue()));
  pages.Skip(6);
  pages.Line("Cronologia", kBold);
  const std::vector<double> widths = {90, 130, kWidth - 2 * kMargin - 220};
  pages.Row(widths, {"Registrato", "Chi", "Evento"}, kBold);
  for (const auto& line : breach.timeline()) {
    pages.Row(widths, {Data(line.recorded_at()), line.actor().subject(), line.summary()}, kBody);
  }
  pages.Skip(6);
  pages.Line("Prova di integrità (catene hash al momento dell'esportazione)", kBold);
  for (const auto& head : breach.heads()) {
    pages.Line(absl::StrCat(head.source(), " v", head.version(), " sha256 ",
                            absl::BytesToHexString(head.hash())),
               "Monospace 7");
  }
}

}  // namespace

absl::StatusOr<std::string> RegisterPdf(const breach::v1::RegisterExport& exported) {
  Pages pages;
  const auto& header = exported.header();
  pages.Line(absl::StrCat("Registro dei Data Breach — ",
                          header.tenant().empty() ? "tutte le scuole" : header.tenant(),
                          header.year() == 0 ? "" : absl::StrCat(" — anno ", header.year())),
             kTitle);
  pages.Line(absl::StrCat("Esportato il ", Data(header.exported_at()), " da ",
                          header.exported_by().subject(), " (registrato come ",
                          header.export_event_id(), "); ", exported.breaches_size(),
                          " violazioni"),
             kBody);
  pages.Skip(8);
  const std::vector<double> widths = {24, 150, 70, 60, 30, 60, 110, 90, 70, 70, 36};
  pages.Row(widths,
            {"N.", "Violazione", "Scoperta", "Stato", "Classe", "Gravità", "Notifica Garante",
             "Comunicazione interessati", "Altri", "Scadenza", "Ritardo"},
            kBold);
  int number = 0;
  for (const auto& breach : exported.breaches()) {
    const RegisterEntry& e = breach.entry();
    pages.Row(widths,
              {absl::StrCat(++number), absl::StrCat(e.breach_id(), "\n", e.place()),
               Data(e.discovered_at()), Stato(e.status()),
               e.classification() == 0 ? "" : absl::StrCat(e.classification()), Gravita(e),
               Comunicazione(e.authority()), Comunicazione(e.data_subjects()),
               Comunicazione(e.others()), Data(e.next_due_at()), Si(e.overdue())},
              kBody);
  }
  number = 0;
  for (const auto& breach : exported.breaches()) BreachPage(pages, ++number, breach);
  return pages.Finish();
}

}  // namespace breachd::breachctl
