# The Pioneros image: Uvicorn serves HTTP and WebSocket; the same image runs the task worker.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
# Static files are collected at build time with throwaway values; real ones come at run time.
RUN DEBUG=false SECRET_KEY=build-time-only-build-time-only-build-time-only-0123456789 \
    ALLOWED_HOSTS=build EMAIL_HOST=build python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["python", "-m", "config.serve_uvicorn", "--host", "0.0.0.0", "--port", "8000", "config.asgi:application"]
