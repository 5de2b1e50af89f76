#include "cli_path.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace mm::ui {

QString micromindPath() {
    const QString env = qEnvironmentVariable("MICROMIND_CLI");
    if (!env.isEmpty())
        return env;
    if (QCoreApplication::instance()) {
        const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("micromind"));
        if (QFileInfo(beside).isExecutable())
            return beside;
    }
#ifdef MM_CLI_BUILD_PATH
    const QString built = QStringLiteral(MM_CLI_BUILD_PATH);
    if (QFileInfo(built).isExecutable())
        return built;
#endif
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("micromind"));
    return onPath.isEmpty() ? QStringLiteral("micromind") : onPath;
}

} // namespace mm::ui
