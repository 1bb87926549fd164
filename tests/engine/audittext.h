#pragma once

// A run's audit and answers on one line, for the message of a failed check.

#include "engine.h"

#include <QString>

namespace stampede::test {

inline QString auditText(const RunResult &r)
{
    const Audit &a = r.audit;
    QString text = QStringLiteral("supplied %1 confirmed %2 persisted %3 remaining %4 oversold %5 lost %6 dup %7 "
                                  "conserved %8 drained %9 ok %10 | attempts %11 succeeded %12 soldOut %13 failed %14")
                       .arg(a.supplied)
                       .arg(a.confirmed)
                       .arg(a.persisted)
                       .arg(a.remaining)
                       .arg(a.oversold)
                       .arg(a.lostOrders)
                       .arg(a.duplicateOrders)
                       .arg(a.conserved)
                       .arg(a.drained)
                       .arg(a.invariantsOk)
                       .arg(r.final.attempts)
                       .arg(r.final.succeeded)
                       .arg(r.final.soldOut)
                       .arg(r.final.failed);
    if (r.final.store && r.final.store->backend != StoreBackend::Embedded)
        text += QStringLiteral(" | store errors %1 (%2)")
                    .arg(qint64(r.final.store->errors))
                    .arg(QString::fromStdString(r.final.store->firstError));
    return text;
}

} // namespace stampede::test
