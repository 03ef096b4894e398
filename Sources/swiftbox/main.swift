import SwiftboxCLI

SwiftboxMain.main()
