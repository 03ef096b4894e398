// Go's text/tabwriter, as Docker's `table` formats use it (minwidth 10, tabwidth 1,
// padding 3, pad with spaces, no flags): each tab ends a cell; the cells of one column
// in consecutive lines form a block whose width is its widest cell plus the padding (at
// least minwidth); a line's last cell (after its last tab) is not aligned. These are
// elastic tabstops: a line with fewer cells ends the blocks of the columns it lacks.

public struct TabWriter {
    public var minWidth = 10
    public var padding = 3

    public init(minWidth: Int = 10, padding: Int = 3) {
        self.minWidth = minWidth
        self.padding = padding
    }

    public func format(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        // The text after the last newline is a line only if it is not empty.
        let endsWithNewline = text.hasSuffix("\n") || text.isEmpty
        if endsWithNewline { lines.removeLast() }
        var out = ""
        var widths: [Int] = []
        formatBlock(lines, 0, lines.count, &widths, &out)
        if !endsWithNewline, out.hasSuffix("\n") { out.removeLast() }
        return out
    }

    private func width(_ cell: String) -> Int { cell.unicodeScalars.count }

    /// Lines [from, to) with the column widths found so far (tabwriter's format()).
    private func formatBlock(_ lines: [[String]], _ from: Int, _ to: Int, _ widths: inout [Int], _ out: inout String) {
        var line0 = from
        let column = widths.count
        var this = from
        while this < to {
            if column >= lines[this].count - 1 { this += 1; continue }
            // This line has a cell in `column`: a block of that column starts here.
            write(lines, line0, this, widths, &out)
            line0 = this
            var w = minWidth
            while this < to, column < lines[this].count - 1 {
                w = max(w, width(lines[this][column]) + padding)
                this += 1
            }
            widths.append(w)
            formatBlock(lines, line0, this, &widths, &out)
            widths.removeLast()
            line0 = this
        }
        write(lines, line0, to, widths, &out)
    }

    private func write(_ lines: [[String]], _ from: Int, _ to: Int, _ widths: [Int], _ out: inout String) {
        guard from < to else { return }
        for i in from..<to {
            for (j, cell) in lines[i].enumerated() {
                out += cell
                if j < widths.count && j < lines[i].count - 1 {
                    out += String(repeating: " ", count: max(0, widths[j] - width(cell)))
                }
            }
            out += "\n"
        }
    }
}
