// The scores panel on the offscreen platform: manual scores, export of the
// seed's table (Markdown byte for byte, CSV, HTML) and the answers side by
// side, and the LLM judge run as a `micromind judge` child process against
// real HTTP servers on 127.0.0.1 (a scripted OpenAI-compatible endpoint, a
// silent one, and `micromind serve`), with the API key kept out of the files.

#include "compare_fixtures.h"

#include "app_setup.h"
#include "judge_dialog.h"
#include "judge_runner.h"
#include "scores_model.h"
#include "scores_panel.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace mm;
using namespace mm::uitest;
using mm::ui::ScoresPanel;
using mm::ui::ScoreTableModel;

namespace {

/// A scripted OpenAI-compatible endpoint on 127.0.0.1: every chat-completions
/// request gets a reply holding the judge's JSON scores.
class FakeJudgeServer : public QObject {
public:
    explicit FakeJudgeServer(QString reply) : m_reply(std::move(reply)) {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = m_server.nextPendingConnection()) {
                s->setParent(this);
                QObject::connect(s, &QTcpSocket::readyRead, this, [this, s] { onData(s); });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1/v1").arg(m_server.serverPort()); }
    QByteArray requests; ///< everything received (headers and bodies)
    int served = 0;

private:
    void onData(QTcpSocket* s) {
        QByteArray& buf = m_buffers[s];
        buf += s->readAll();
        const int end = buf.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QRegularExpression re(QStringLiteral("content-length:\\s*(\\d+)"),
                                    QRegularExpression::CaseInsensitiveOption);
        const auto m = re.match(QString::fromLatin1(buf.left(end)));
        const int length = m.hasMatch() ? m.captured(1).toInt() : 0;
        if (buf.size() < end + 4 + length)
            return;
        requests += buf;
        buf.clear();
        const QJsonObject msg{{"role", "assistant"}, {"content", m_reply}};
        const QJsonObject choice{{"index", 0}, {"message", msg}, {"finish_reason", "stop"}};
        const QByteArray body =
            QJsonDocument(QJsonObject{{"id", "t"}, {"object", "chat.completion"}, {"choices", QJsonArray{choice}}})
                .toJson(QJsonDocument::Compact);
        s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                 QByteArray::number(body.size()) + "\r\n\r\n" + body);
        s->disconnectFromHost();
        ++served;
    }
    QTcpServer m_server;
    QString m_reply;
    QHash<QTcpSocket*, QByteArray> m_buffers;
};

} // namespace

class TestCompareScores : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void exportWritesTheSeedsTable() {
        TinyWorkspace ws;
        storeAnswers(ws.db(), {0, 1, 2, 3, 4}, "世界上最高的山峰是珠穆朗玛峰。");
        ScoresPanel panel;
        panel.setWorkspace(ws.dir);
        QTemporaryDir out;
        QString error;
        QStringList written;
        QVERIFY2(panel.exportAll(out.path(), &error, &written), qPrintable(error));
        QCOMPARE(written.size(), 5);
        // No scores yet: byte for byte the seed's empty table.
        QCOMPARE(readAll(out.filePath(QStringLiteral("scores.md"))), QString::fromUtf8(test::kSeedScoreTable));

        // Manual edits through the table go to the history and into the export.
        ScoreTableModel* m = panel.model();
        QCOMPARE(m->rowCount(), 5);
        QVERIFY(m->setData(m->index(1, ScoreTableModel::Language), 6));
        QVERIFY(m->setData(m->index(1, ScoreTableModel::Knowledge), QStringLiteral("4.5")));
        QVERIFY(m->setData(m->index(1, ScoreTableModel::Efficiency), 7));
        QVERIFY(!m->setData(m->index(1, ScoreTableModel::Efficiency), 11)); // out of range: refused
        QVERIFY(!m->setData(m->index(1, ScoreTableModel::Mode), 3));        // not editable
        QCOMPARE(m->data(m->index(1, ScoreTableModel::Total)).toString(), QStringLiteral("17.5"));
        QVERIFY(m->isManual(1, 0));
        int manual = 0;
        for (const auto& r : store::History(ws.db()).scores())
            manual += r.manual && r.modelMode == 1;
        QCOMPARE(manual, 3);
        QVERIFY(panel.exportAll(out.path(), &error));
        const QString md = readAll(out.filePath(QStringLiteral("scores.md")));
        const QStringList lines = md.split(QLatin1Char('\n'));
        QCOMPARE(lines[0], QString::fromUtf8(test::kSeedScoreTable).split(QLatin1Char('\n'))[0]);
        QCOMPARE(lines[3], seedRow({"1", "6", "4.5", "7", "17.5"}));
        QCOMPARE(lines[2], seedRow({"0"}));
        const QString csv = readAll(out.filePath(QStringLiteral("scores.csv")));
        QVERIFY(csv.startsWith(QStringLiteral("模型编号,语言理解与生成 (0-10)")));
        QVERIFY(csv.contains(QStringLiteral("1,6,4.5,7,17.5")));
        QVERIFY(readAll(out.filePath(QStringLiteral("scores.html"))).contains(QStringLiteral("<table")));
        const QString compare = readAll(out.filePath(QStringLiteral("compare.md")));
        for (const QString& p : kEvalPrompts)
            QVERIFY(compare.contains(p));
        QVERIFY(compare.contains(QStringLiteral("珠穆朗玛峰")));
        QVERIFY(readAll(out.filePath(QStringLiteral("compare.html"))).contains(QStringLiteral("4 lora")));
    }

    void theJudgeRunsAsAChildProcessAndKeepsTheKeyOut() {
        TinyWorkspace ws;
        storeAnswers(ws.db(), {0, 1, 2, 3, 4}, "大语言模型是一种在大量文本上训练的神经网络，例如聊天助手。");
        FakeJudgeServer server(QStringLiteral("```json\n{\"language\": 7, \"knowledge\": 5.5, \"efficiency\": 8, "
                                              "\"comment\": \"通顺但知识有限\"}\n```"));
        ScoresPanel panel;
        panel.resize(1100, 700);
        panel.setWorkspace(ws.dir);
        ui::JudgeSettings s;
        s.baseUrl = server.baseUrl();
        s.model = QStringLiteral("scripted-judge");
        s.attempts = 1;
        s.timeoutSeconds = 60;
        const QString key = QStringLiteral("sk-ui-secret-4711");
        QVERIFY(s.save(ws.dir, nullptr));
        QSignalSpy finished(&panel, &ScoresPanel::judgeFinished);
        QVERIFY(panel.startJudge(s, key));
        QVERIFY(panel.isJudging());
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString() + panel.judgeLog()));
        QCOMPARE(server.served, 5);
        QVERIFY(server.requests.contains("Authorization: Bearer " + key.toUtf8()));
        for (int mode = 0; mode < 5; ++mode) {
            QCOMPARE(panel.model()->value(mode, 0), std::optional<double>(7));
            QCOMPARE(panel.model()->value(mode, 1), std::optional<double>(5.5));
            QCOMPARE(panel.model()->value(mode, 2), std::optional<double>(8));
            QCOMPARE(panel.model()->total(mode), std::optional<double>(20.5));
            QVERIFY(!panel.model()->isManual(mode, 0));
        }
        QCOMPARE(panel.model()->data(panel.model()->index(2, ScoreTableModel::Judge)).toString(),
                 QStringLiteral("scripted-judge"));
        // The key is in none of: the database, the settings file, the log.
        QByteArray dbBytes;
        for (const char* f : {"/micromind.db", "/micromind.db-wal", "/settings.json"}) {
            QFile file(ws.dir + QLatin1String(f));
            if (file.open(QIODevice::ReadOnly))
                dbBytes += file.readAll();
        }
        QVERIFY(!dbBytes.contains(key.toUtf8()));
        QVERIFY(dbBytes.contains("scripted-judge"));
        QVERIFY(!panel.judgeLog().contains(key));
        QCOMPARE(ui::JudgeSettings::load(ws.dir).baseUrl, server.baseUrl());
        // A manual correction overrides the judge.
        QVERIFY(panel.model()->setData(panel.model()->index(3, ScoreTableModel::Knowledge), 9));
        QCOMPARE(panel.model()->total(3), std::optional<double>(24));
        QTemporaryDir out;
        QString error;
        QVERIFY2(panel.exportAll(out.path(), &error), qPrintable(error));
        const QStringList lines = readAll(out.filePath(QStringLiteral("scores.md"))).split(QLatin1Char('\n'));
        QCOMPARE(lines[2], seedRow({"0", "7", "5.5", "8", "20.5"}));
        QCOMPARE(lines[5], seedRow({"3", "7", "9", "8", "24"}));
        screenshot(panel, QStringLiteral("scores_panel.png"));
    }

    void theJudgeDialogChecksTheEndpointAndStopEndsTheChild() {
        ui::JudgeSettings in;
        in.baseUrl = QStringLiteral("not a url");
        in.model = QStringLiteral("deepseek-chat");
        ui::JudgeDialog dlg(in, QStringLiteral("sk-x"));
        auto* ok = dlg.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QVERIFY(!ok->isEnabled());
        dlg.findChild<QLineEdit*>(QStringLiteral("baseUrl"))->setText(QStringLiteral("https://api.deepseek.com/v1"));
        QVERIFY(ok->isEnabled());
        QCOMPARE(dlg.findChild<QLineEdit*>(QStringLiteral("apiKey"))->echoMode(), QLineEdit::Password);
        QCOMPARE(dlg.settings().baseUrl, QStringLiteral("https://api.deepseek.com/v1"));
        QCOMPARE(dlg.apiKey(), QStringLiteral("sk-x"));
        QVERIFY(!ui::JudgeRunner::arguments(QStringLiteral("/ws"), dlg.settings())
                     .join(' ')
                     .contains(QStringLiteral("sk-x")));

        // An endpoint that accepts the connection and never answers: Stop ends the child.
        TinyWorkspace ws;
        storeAnswers(ws.db(), {1}, "你好");
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        ScoresPanel panel;
        panel.setWorkspace(ws.dir);
        ui::JudgeSettings s;
        s.baseUrl = QStringLiteral("http://127.0.0.1:%1/v1").arg(silent.serverPort());
        s.model = QStringLiteral("m");
        QSignalSpy finished(&panel, &ScoresPanel::judgeFinished);
        QVERIFY(panel.startJudge(s, {}));
        QVERIFY(!panel.startJudge(s, {})); // one judge at a time
        QTRY_VERIFY_WITH_TIMEOUT(silent.hasPendingConnections(), 30000);
        panel.stopJudge();
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY(!panel.isJudging());
    }

    void theJudgeReportsAnUnusableEndpointReplyFromMicromindServe() {
        TinyWorkspace ws;
        storeAnswers(ws.db(), {1}, "你好");
        QProcess serve;
        serve.setProcessChannelMode(QProcess::MergedChannels);
        serve.start(QStringLiteral(MM_CLI_BUILD_PATH),
                    {"serve", "--out_dir", ws.dir, "--port", "0", "--max_seconds", "120", "--threads", "1"});
        QVERIFY(serve.waitForStarted(10000));
        QString log;
        int port = 0;
        const QRegularExpression re(QStringLiteral("http://127\\.0\\.0\\.1:([0-9]+)/v1"));
        QTRY_VERIFY_WITH_TIMEOUT((log += QString::fromUtf8(serve.readAll()), re.match(log).hasMatch()), 60000);
        port = re.match(log).captured(1).toInt();
        QVERIFY(port > 0);

        ScoresPanel panel;
        panel.setWorkspace(ws.dir);
        ui::JudgeSettings s;
        s.baseUrl = QStringLiteral("http://127.0.0.1:%1/v1").arg(port);
        s.model = QStringLiteral("full_sft_32");
        s.attempts = 1;
        s.maxTokens = 16;
        s.modelModes = QStringLiteral("1");
        QSignalSpy finished(&panel, &ScoresPanel::judgeFinished);
        QVERIFY(panel.startJudge(s, {}));
        QVERIFY(finished.wait(120000));
        // A random tiny model cannot write the scores: the panel says so and keeps the table empty.
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY2(panel.judgeLog().contains(QStringLiteral("FAILED")), qPrintable(panel.judgeLog()));
        QVERIFY(!panel.model()->value(1, 0).has_value());
        serve.terminate();
        QVERIFY(serve.waitForFinished(10000));
    }

    // Last: installs the Chinese translation for the rest of the process.
    void chineseScreenshotWithTheSeedsScores() {
        QCOMPARE(ui::installTranslations(*qApp, QStringLiteral("zh_CN")), QStringLiteral("zh_CN"));
        TinyWorkspace ws;
        storeSeedAnswersAndScores(ws.db(), ws.dir.toStdString());
        ScoresPanel scores;
        scores.resize(1100, 560);
        scores.show();
        scores.setWorkspace(ws.dir);
        QCOMPARE(scores.findChild<QPushButton*>(QStringLiteral("judgeButton"))->text(), QStringLiteral("运行评审…"));
        QVERIFY(scores.model()->setData(scores.model()->index(3, ScoreTableModel::Knowledge), 4.5));
        QCOMPARE(scores.model()->total(3), std::optional<double>(13.5));
        QCOMPARE(scores.model()->headerData(ScoreTableModel::Judge, Qt::Horizontal).toString(),
                 QStringLiteral("评审模型"));
        screenshot(scores, QStringLiteral("scores_panel_zh.png"));
    }
};

QTEST_MAIN(TestCompareScores)
#include "test_compare_scores.moc"
