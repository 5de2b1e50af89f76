#pragma once
// Shared by the workbench tests: a temporary workspace with a tiny corpus in
// minimind's formats and a tokenizer trained by the test (tests/core/fixtures).

#include "fixtures.h"

#include <QDir>
#include <QFile>
#include <QString>
#include <QTemporaryDir>

namespace mm::test {

/// A workspace folder with pretrain.jsonl, sft.jsonl and tokenizer.model.
struct UiWorkspace {
    QTemporaryDir tmp;
    QString dir, pretrainData, sftData;
    UiWorkspace() {
        dir = tmp.path() + QStringLiteral("/ws");
        QDir().mkpath(dir);
        pretrainData = QString::fromStdString(writePretrainJsonl(tmp.path().toStdString(), 300));
        sftData = QString::fromStdString(writeSftJsonl(tmp.path().toStdString(), 120));
        QFile::copy(QString::fromStdString(fixtureTokenizer()), dir + QStringLiteral("/tokenizer.model"));
    }
};

} // namespace mm::test
