// micromind-workbench: the Qt 6 desktop front end (all of it lives in ui/).

#include "main_window.h"

#include <QApplication>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    mm::ui::MainWindow w;
    w.show();
    return app.exec();
}
