// svgtopng IN.svg OUT.png SIDE: renders the SVG into a SIDE x SIDE PNG with a transparent
// background. The package's hicolor PNG icons come from packaging/icons/stampede.svg through it at
// build time, with the same Qt SVG renderer the window uses (so no other tool is needed).

#include <QByteArray>
#include <QImage>
#include <QPainter>
#include <QString>
#include <QSvgRenderer>

#include <cstdio>

int main(int argc, char **argv)
{
    if (argc != 4) {
        std::fputs("usage: svgtopng IN.svg OUT.png SIDE\n", stderr);
        return 2;
    }
    bool ok = false;
    const int side = QByteArray(argv[3]).toInt(&ok);
    if (!ok || side < 1 || side > 4096) {
        std::fprintf(stderr, "svgtopng: SIDE must be 1-4096, got %s\n", argv[3]);
        return 2;
    }
    QSvgRenderer renderer(QString::fromLocal8Bit(argv[1]));
    if (!renderer.isValid()) {
        std::fprintf(stderr, "svgtopng: %s: not a valid SVG\n", argv[1]);
        return 1;
    }
    QImage image(side, side, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    renderer.render(&painter);
    painter.end();
    if (!image.save(QString::fromLocal8Bit(argv[2]), "PNG")) {
        std::fprintf(stderr, "svgtopng: cannot write %s\n", argv[2]);
        return 1;
    }
    return 0;
}
