# escape=`
# A Windows-style Dockerfile: the backtick escapes, so backslashes in paths are plain.
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
WORKDIR C:\app
COPY app\bin\ C:\app\bin\
ENV TOOLS=C:\tools `
    PATH="C:\tools;C:\Windows\system32"
RUN Write-Host `
    'hello from' `
    $env:TOOLS
RUN echo C:\path\ends\with\backslash\
CMD ["C:\\app\\bin\\app.exe", "--serve"]
