#pragma once
// The texts of the stage schemas (core/config/stages*.cpp) that the stage forms
// show: field help (tooltips), stage summaries and group titles. They live in
// the core as std::string, where lupdate cannot see them, so
// scripts/update-translations.sh writes them as QT_TRANSLATE_NOOP literals into
// ui/schema_strings.cpp (generated, checked in) and then runs lupdate; the form
// translates them at run time with QCoreApplication::translate(context, text).

#include <cstddef>

namespace mm::ui {

/// Translation contexts of the schema texts.
inline constexpr char kSchemaHelpContext[] = "SchemaHelp";       ///< Field::help
inline constexpr char kSchemaSummaryContext[] = "SchemaSummary"; ///< Schema::summary
inline constexpr char kSchemaGroupContext[] = "SchemaGroup";     ///< Field::group

struct SchemaString {
    const char* context;
    const char* source;
};
/// Every text of ui/schema_strings.cpp, in the order it was generated.
extern const SchemaString kSchemaStrings[];
extern const std::size_t kSchemaStringCount;

} // namespace mm::ui
